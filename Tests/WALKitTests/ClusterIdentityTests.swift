import Foundation
import Testing
@testable import WALKit

/// A segment of another real cluster under a genuine name: walkit must blame that file, not the
/// genuine ones around it, whatever its place on the path.
@Suite struct ClusterIdentityTests {
  /// TestData/pg15/archive (segments 7-A of one PostgreSQL 15 cluster) with segment `foreign`
  /// replaced by the file of the same name of another PostgreSQL 15 cluster
  /// (TestData/pg15-repositories/flat).
  static func archive(foreign: String) throws -> Scratch {
    let scratch = try Scratch()
    let genuine = Fixture.path("pg15/archive")
    try scratch.copy(try FileManager.default.contentsOfDirectory(atPath: genuine).filter { $0 != foreign }.map { "\(genuine)/\($0)" })
    try scratch.copy([Fixture.path("pg15-repositories/flat/\(foreign)")])
    return scratch
  }

  @Test(arguments: ["000000010000000000000007", "000000010000000000000009"])
  func onlyTheForeignSegmentIsBlamed(_ foreign: String) throws {
    let scratch = try Self.archive(foreign: foreign)
    let report = try Verifier().verify(paths: [scratch.path])
    #expect(report.problems.map(\.kind) == [.systemIDMismatch], "\(report.problems)")
    #expect(report.problems.first?.location.segment?.description == foreign)
    #expect(report.problems.first?.location.lsn != nil)
    #expect(report.segments.filter { $0.status == .damaged }.map { $0.name?.description } == [foreign])
  }

  /// A foreign first segment stops a standby at its start, and a backup starting there never
  /// becomes consistent.
  @Test func foreignFirstSegmentStopsReplayAtTheStart() throws {
    let foreign = "000000010000000000000007"
    let scratch = try Self.archive(foreign: foreign)
    let gaps = try GapAnalysis(sources: [scratch.path]).run()
    #expect(!gaps.continuous)
    #expect(gaps.blockingProblem?.kind == .systemIDMismatch)
    #expect(gaps.blockingProblem?.location.segment?.description == foreign)
    #expect(gaps.reachableLSN == LSN(0x700000))
    #expect(gaps.problems.filter { $0.kind == .systemIDMismatch }.count == 1)

    let label = try BackupLabel(text: """
      START WAL LOCATION: 0/700028 (file 000000010000000000000007)
      STOP WAL LOCATION: 0/800000 (file 000000010000000000000008)
      START TIMELINE: 1
      """)
    let fromBackup = try GapAnalysis(sources: [scratch.path], start: .backup(label, origin: "test")).run()
    #expect(fromBackup.reachesConsistency == false)
    #expect(fromBackup.reachableLSN == LSN(0x700028))
  }

  /// A foreign segment in the middle: replay stops before it, as PostgreSQL refuses it at its
  /// first page, not at a prev-link check of its first record. The record of segment 8 that
  /// runs into it (pg_waldump 15's listing of the genuine archive) cannot be read whole, so
  /// replay ends where that record starts.
  @Test func replayStopsBeforeAForeignSegmentNotInsideIt() throws {
    let foreign = "000000010000000000000009"
    let scratch = try Self.archive(foreign: foreign)
    let listing = try Fixture.text("pg15/waldump.txt.gz").split(separator: "\n").compactMap { WaldumpRecord(line: $0) }
    let crossing = try #require(listing.last { $0.lsn.rawValue < 0x90_0000 })
    #expect(crossing.lsn.rawValue + UInt64(crossing.totalLength) > 0x90_0000)
    let gaps = try GapAnalysis(sources: [scratch.path]).run()
    #expect(!gaps.continuous)
    #expect(gaps.blockingProblem?.kind == .systemIDMismatch)
    #expect(gaps.blockingProblem?.location.segment?.description == foreign)
    #expect(gaps.reachableLSN == crossing.lsn)
    #expect(gaps.problems.filter { $0.kind == .brokenContinuation }.isEmpty, "\(gaps.problems)")
  }

  /// The same after an XLOG SWITCH (TestData/pg15-repositories/flat, segment 7 switched, with
  /// segment 8 of TestData/pg15's cluster): replay stops at 0/800000, where a real PostgreSQL 15
  /// standby stopped in the same case (pg_last_wal_replay_lsn at the foreign segment's start,
  /// "WAL file is from different database system"); walkit said 0/800058, after a prev-link
  /// check of a record in the file PostgreSQL never reads.
  @Test func replayStopsAtAForeignSegmentsStartAfterASwitch() throws {
    let scratch = try Scratch()
    let genuine = Fixture.path("pg15-repositories/flat")
    try scratch.copy(try FileManager.default.contentsOfDirectory(atPath: genuine).filter { $0 != "000000010000000000000008" }.map { "\(genuine)/\($0)" })
    try scratch.copy([Fixture.path("pg15/archive/000000010000000000000008")])
    let gaps = try GapAnalysis(sources: [scratch.path]).run()
    #expect(gaps.blockingProblem?.kind == .systemIDMismatch, "\(gaps.problems)")
    #expect(gaps.reachableLSN == LSN(0x800000))
  }

  /// A 16 MB segment of another cluster (TestData/pg15-16mb) among 1 MB ones: blamed for what it
  /// is, at positions in the 1 MB set's LSN scale (its start is 0/800000 there, 0/8000000 in
  /// its own), and nothing read in its own scale is reported.
  @Test func aSegmentOfAnotherSizeIsPlacedInTheSetsScale() throws {
    let scratch = try Self.archive(foreign: "000000010000000000000008")
    try FileManager.default.removeItem(atPath: scratch.file("000000010000000000000008"))
    let stray = try Fixture.run("/bin/gzip", ["-dc", Fixture.path("pg15-16mb/archive/000000010000000000000003.gz")])
    #expect(stray.count == 16 << 20)
    try stray.write(to: URL(fileURLWithPath: scratch.file("000000010000000000000008")))
    let report = try Verifier().verify(paths: [scratch.path])
    #expect(report.problems.map(\.kind) == [.systemIDMismatch, .segmentSizeMismatch], "\(report.problems)")
    #expect(report.problems.map { $0.location.lsn } == [LSN(0x800000), LSN(0x800000 + 32)])
    #expect(report.problems.allSatisfy { $0.location.segment?.description == "000000010000000000000008" })
    #expect(report.problems.last?.message == "long header gives 16 MB segments, 8 kB pages, while the other segments have 1 MB segments, 8 kB pages: not a segment of this WAL")
    let stranger = try #require(report.segments.first { $0.name?.description == "000000010000000000000008" })
    #expect(stranger.status == .damaged && stranger.scan.validThrough == nil)
    #expect(report.segments.filter { $0.status == .damaged }.count == 1)
  }
}
