import Foundation
import Testing
@testable import WALKit

/// `walkit inspect`'s record lines against pg_waldump's, record by record.
@Suite struct InspectionTests {
  /// Resource managers whose descriptions must be pg_waldump's, every record.
  static let required: Set<String> = ["XLOG", "Transaction", "Storage", "Standby", "Heap", "Heap2", "Btree", "Database",
                                      "Sequence", "RelMap", "CLOG", "MultiXact", "LogicalMessage"]

  /// Every line starts as pg_waldump's does (rmgr, lengths, xid, LSN, prev-link, type); lines
  /// of record types walkit describes equal pg_waldump's entirely.
  @Test(arguments: Fixture.sets)
  func recordLinesMatchPgWaldump(_ set: Fixture.Set) throws {
    let expected = try Fixture.text(set.listing).split(separator: "\n").filter { $0.hasPrefix("rmgr: ") }
    var index = 0
    var exact = 0, described = 0
    _ = try WALStream(paths: [set.archiveURL.path]).forEachRecord(timeline: set.timeline) { record in
      defer { index += 1 }
      guard index < expected.count else { return }
      let line = record.pgWaldumpLine
      let theirs = expected[index]
      let prefixEnd = theirs.range(of: "desc: ")!.upperBound
      let typeEnd = theirs[prefixEnd...].firstIndex(of: " ") ?? theirs.endIndex
      #expect(line.hasPrefix(theirs[..<typeEnd]), "record \(index): \(line.prefix(200)) vs \(theirs.prefix(200))")
      if Self.required.contains(record.resourceManager.name) {
        #expect(line == theirs, "record \(index) at \(record.lsn) of a resource manager walkit must describe exactly")
      }
      if record.hasExactDescription {
        described += 1
        if line == theirs { exact += 1 } else {
          Issue.record("record \(index) at \(record.lsn): walkit \(line.prefix(300))\n pg_waldump \(theirs.prefix(300))")
        }
      }
    }
    #expect(index == expected.count)
    #expect(described > expected.count * 9 / 10, "only \(described) of \(expected.count) records described")
  }
}
