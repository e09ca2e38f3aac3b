import Foundation
import Testing
@testable import WALKit

/// Every record walkit reads from the real WAL sets must be the record that version's
/// pg_waldump printed, in the same order: LSN, prev-link, resource manager, lengths, xid.
@Suite struct PgWaldumpAgreementTests {
  @Test(arguments: Fixture.sets)
  func recordsMatchPgWaldump(_ set: Fixture.Set) throws {
    let expected = WaldumpRecord.parse(try Fixture.text(set.listing))
    #expect(expected.count > 150, "the listing should hold the whole workload")
    var found: [WaldumpRecord] = []
    var versions = Swift.Set<Int>()
    let report = try WALStream(paths: [set.archiveURL.path]).forEachRecord(timeline: set.timeline) { record in
      found.append(WaldumpRecord(record))
      versions.insert(record.version.major)
    }
    #expect(report.isClean, "\(report.problems)")
    #expect(versions == [set.version])
    #expect(found.count == expected.count)
    let firstDifference = zip(found, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
    #expect(firstDifference == nil, "first difference at record \(firstDifference ?? -1): walkit \(firstDifference.map { found[$0].description } ?? ""), pg_waldump \(firstDifference.map { expected[$0].description } ?? "")")
  }

  @Test(arguments: Fixture.sets)
  func parallelVerificationCountsTheSameRecords(_ set: Fixture.Set) throws {
    let expected = WaldumpRecord.parse(try Fixture.text(set.listing))
    let report = try Verifier(jobs: 2).verify(paths: [set.archiveURL.path])
    #expect(report.isClean, "\(report.problems)")
    let onTimeline = report.segments.filter { set.timeline == nil || $0.name?.timeline == set.timeline }
    #expect(onTimeline.reduce(0) { $0 + $1.scan.recordCount } == expected.count)
    #expect(onTimeline.first?.scan.firstRecord == expected.first?.lsn)
    #expect(onTimeline.last?.scan.lastRecord == expected.last?.lsn)
  }

  /// pg_waldump ends with "invalid record length at X: expected at least 24, got 0" where WAL
  /// ends; walkit's valid-through LSN of that segment must be X, and it is not a problem in a
  /// `.partial` segment.
  @Test(arguments: [
    ("pg18-timeline/archive/00000001000000000000000E.partial", "pg18-timeline/waldump-tli1.stderr"),
    ("pg16/partial/00000001000000000000000A.partial", "pg16/partial/waldump.stderr"),
  ])
  func endOfWALMatchesPgWaldump(_ file: String, _ stderrFile: String) throws {
    let stderr = try Fixture.text(stderrFile)
    let endText = try #require(stderr.split(separator: " ").drop { $0 != "length" }.dropFirst(2).first)
    let end = try #require(LSN(String(endText.dropLast())))
    let report = try Verifier().verify(paths: [Fixture.path(file)])
    #expect(report.isClean, "\(report.problems)")
    #expect(report.segments.first?.status == .inProgress)
    #expect(report.segments.first?.scan.validThrough == end)
  }

  @Test func gzipSegmentReadsLikeThePlainOne() throws {
    let plain = try Verifier().verify(paths: [Fixture.path("pg16/archive/000000010000000000000006")])
    let gzip = try Verifier().verify(paths: [Fixture.path("pg16/gz/000000010000000000000006.gz")])
    #expect(gzip.isClean)
    #expect(gzip.segments.first?.scan.isCompressed == true)
    #expect(gzip.segments.first?.scan.recordCount == plain.segments.first?.scan.recordCount)
    #expect(gzip.segments.first?.scan.validThrough == plain.segments.first?.scan.validThrough)
  }

  @Test func recordCrossingSegmentsIsAssembledAndChecked() throws {
    // The 1.5 MB logical message of the pg16 set starts at 0/866C08 and crosses into the next
    // 1 MiB segment; its CRC can only check out if every piece was gathered.
    var found: (LSN, UInt32, Int)?
    _ = try WALStream(paths: [Fixture.path("pg16/archive")]).forEachRecord { record in
      if record.lsn == LSN(0x866C08) {
        found = (record.end, record.header.totalLength, record.mainData.count)
      }
    }
    let (end, total, mainData) = try #require(found)
    #expect(total == 1_500_077)
    #expect(mainData > 1_500_000)
    #expect(end > LSN(0x900000))
  }
}
