import Foundation
import Testing
@testable import WALKit

/// CRC-valid records with absurd contents, made from real PostgreSQL 16 records: everything a
/// record reaches (verification, pg_waldump's line, the block-detail line, JSON, statistics)
/// must go on without a trap and describe what it can.
@Suite struct HostileRecordTests {
  /// A copy of the first pg16 segment holding a record that `matches`, its main data patched.
  static func crafted(_ matches: (WALRecord) -> Bool, at offset: Int, with bytes: [UInt8]) throws -> (Scratch, String, LSN) {
    let scratch = try Scratch()
    for segment in Fixture.plainSets[1].segmentPaths {
      let path = try scratch.copy([segment])[0]
      if let record = try RecordPatcher.find(in: path, where: matches) {
        try RecordPatcher.patch(path, record, mainDataOffset: offset, with: bytes)
        return (scratch, path, record.lsn)
      }
      try FileManager.default.removeItem(atPath: path)
    }
    throw CancellationError()
  }

  /// Reads the file fully in every form and returns the crafted record's line.
  static func everyForm(_ path: String, at lsn: LSN) throws -> String {
    var line = ""
    var statistics = WALStatistics()
    let report = try WALStream(paths: [path]).forEachRecord(in: nil) { record in
      statistics.add(record)
      _ = record.pgWaldumpLineWithBlockDetails
      _ = record.pgWaldumpDescription
      if record.lsn == lsn { line = record.pgWaldumpLine }
      return true
    }
    #expect(report.problems.isEmpty, "\(report.problems)")
    return line
  }

  static func isCommit(_ record: WALRecord) -> Bool { record.resourceManager.name == "Transaction" && record.typeName == "COMMIT" }

  @Test(arguments: [Int64.max, Int64.min, -1])
  func commitWithAnAbsurdTimeIsDescribed(_ time: Int64) throws {
    let (scratch, path, lsn) = try Self.crafted(Self.isCommit, at: 0, with: RecordPatcher.littleEndian(time))
    _ = scratch
    let line = try Self.everyForm(path, at: lsn)
    #expect(line.contains("desc: COMMIT "))
  }

  @Test(arguments: [UInt64.max - 5, UInt64.max, UInt64(Int.max)])
  func logicalMessageWithAnAbsurdPrefixSizeIsDescribed(_ size: UInt64) throws {
    let (scratch, path, lsn) = try Self.crafted({ $0.resourceManager.name == "LogicalMessage" }, at: 8,
                                                 with: RecordPatcher.littleEndian(size))
    _ = scratch
    let line = try Self.everyForm(path, at: lsn)
    #expect(line.contains("desc: MESSAGE"))
  }

  /// Counts that claim more entries than the record holds: the description reads through the
  /// checked cursor and falls back to the type name.
  @Test(arguments: [("RUNNING_XACTS", 0), ("LOCK", 0), ("RUNNING_XACTS", 4)])
  func countsPastTheRecordAreDescribedByTypeOnly(_ type: String, _ offset: Int) throws {
    let (scratch, path, lsn) = try Self.crafted({ $0.resourceManager.name == "Standby" && $0.typeName == type }, at: offset,
                                                 with: RecordPatcher.littleEndian(Int32.max))
    _ = scratch
    let line = try Self.everyForm(path, at: lsn)
    #expect(line.hasSuffix("desc: \(type) "), "\(line)")
  }

  /// One empty file named far past the rest: work must grow with the files, not with the span
  /// between their names, and the absurd gap is said to be one.
  @Test func strayNameFarPastTheArchiveIsBounded() throws {
    let scratch = try Scratch()
    try scratch.copy(Fixture.plainSets[1].segmentPaths, into: "archive")
    try Scratch.write([], to: scratch.file("archive/00000001FFFFFFFF00000FFF"))
    let started = ContinuousClock.now
    for namesOnly in [false, true] {
      let report = try GapAnalysis(sources: [scratch.file("archive")], checksContent: !namesOnly).run()
      #expect(!report.continuous)
      #expect(report.path.count <= 6)
      let gap = try #require(report.missingRanges.first)
      #expect(gap.first.description == "00000001000000000000000A")
      #expect(gap.last.description == "00000001FFFFFFFF00000FFE")
      #expect(gap.count == 0xFFFF_FFFF * 4096 + 0xFFF - 0xA)
      #expect(report.blockingProblem?.message.contains("stray or wrong") == true)
    }
    let diff = try WALComparison(a: scratch.file("archive"), b: Fixture.plainSets[1].archiveURL.path).run()
    #expect(diff.onlyInA.count == 1)
    #expect(ContinuousClock.now - started < .seconds(20))
  }
}
