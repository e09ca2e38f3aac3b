import Foundation
import Testing
@testable import WALKit

/// `walkit inspect`'s record lines against pg_waldump's of the same version, every line.
@Suite struct InspectionTests {
  @Test(arguments: Fixture.sets)
  func everyRecordLineIsPgWaldumps(_ set: Fixture.Set) throws {
    let expected = try Fixture.text(set.listing).split(separator: "\n").filter { $0.hasPrefix("rmgr: ") }.map(String.init)
    var found: [String] = []
    _ = try WALStream(paths: [set.archiveURL.path]).forEachRecord(timeline: set.timeline) { record in
      found.append(record.pgWaldumpLine)
    }
    #expect(found.count == expected.count)
    Self.expectEqualLines(found, expected)
  }

  /// Records whose description depends on the version or on what they carry, each in a lone
  /// real segment with that version's pg_waldump listing (TestData/generate/make-description-fixtures.sh):
  /// Hash VACUUM_ONE_PAGE of 15 ("latestRemovedXid"), and 16's MULTI_INSERT and Btree VACUUM
  /// whose block 0 carries data beside an image logged only for wal_consistency_checking.
  @Test(arguments: [("pg15-hash", "VACUUM_ONE_PAGE ntuples "), ("pg16-consistency", "offsets: [")])
  func descriptionsThatDependOnWhatARecordCarriesArePgWaldumps(_ set: String, mark: String) throws {
    let expected = try Fixture.text(set + "/waldump.txt.gz").split(separator: "\n").map(String.init)
    #expect(try Fixture.text(set + "/waldump.stderr").isEmpty)
    #expect(expected.contains { $0.contains(mark) })
    var found: [String] = []
    _ = try WALStream(paths: [Fixture.path(set + "/archive")]).forEachRecord { record in found.append(record.pgWaldumpLine) }
    #expect(found.count == expected.count)
    Self.expectEqualLines(found, expected)
  }

  /// `-b`: each record's line without its block references, then one line per reference.
  @Test(arguments: Fixture.versionSets)
  func everyBlockDetailIsPgWaldumps(_ set: Fixture.Set) throws {
    let expected = try Fixture.text(try #require(set.blockListing)).split(separator: "\n").map(String.init)
    var found: [String] = []
    _ = try WALStream(paths: [set.archiveURL.path]).forEachRecord(timeline: set.timeline) { record in
      found += record.pgWaldumpLineWithBlockDetails.split(separator: "\n").map(String.init)
    }
    #expect(found.count == expected.count)
    #expect(expected.contains { $0.hasPrefix("\tblkref") && $0.contains("(FPW") })
    Self.expectEqualLines(found, expected)
  }

  /// The WAL of 13, 14 and 17 was written by a workload that reaches every built-in resource
  /// manager: the listings must show each of them.
  @Test(arguments: Fixture.versionSets.filter { $0.timeline == TimelineID(1) })
  func theWorkloadReachesEveryResourceManager(_ set: Fixture.Set) throws {
    var seen = Swift.Set<BuiltInResourceManager>()
    _ = try WALStream(paths: [set.archiveURL.path]).forEachRecord(timeline: set.timeline) { record in
      if let builtIn = record.resourceManager.builtIn { seen.insert(builtIn) }
    }
    #expect(seen == Swift.Set(BuiltInResourceManager.allCases))
  }

  static func expectEqualLines(_ found: [String], _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    let differing = zip(found, expected).enumerated().filter { $0.element.0 != $0.element.1 }
    if let first = differing.first {
      let message = "\(differing.count) of \(expected.count) lines differ; the first, line \(first.offset + 1):\n"
        + "walkit     \(first.element.0.prefix(400))\npg_waldump \(first.element.1.prefix(400))"
      Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
  }
}
