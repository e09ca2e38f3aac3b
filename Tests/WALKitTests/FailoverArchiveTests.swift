import Foundation
import Testing
@testable import WALKit
@testable import WALReader

/// Archives after a failover, made by real PostgreSQL servers: a `.partial` beside the old
/// primary's full segment of the same name (TestData/pg15-split), a history file recording the
/// switch point, and what happens when the history file is gone (TestData/pg18-timeline).
@Suite struct FailoverArchiveTests {
  /// The switch point as PostgreSQL wrote it in B/00000002.history.
  static func switchPoint() throws -> LSN {
    try #require(LSN(try Fixture.text("pg15-split/switch-point").strippingWhitespace(newlines: true)))
  }

  /// The promoted standby's `.partial` ends at the switch point and is not damaged; the old
  /// primary's full segment of the same name goes on past it, which is reported as the old
  /// timeline going on after the promotion.
  @Test func partialBesideTheFullSegmentIsInProgressAndTheOldTimelineGoesOnPastTheSwitch() throws {
    let switchPoint = try Self.switchPoint()
    let report = try Verifier().verify(paths: [Fixture.path("pg15-split/A"), Fixture.path("pg15-split/B")])
    let partial = try #require(report.segments.first { $0.file.isPartial })
    #expect(partial.status == .inProgress)
    #expect(partial.problems.isEmpty)
    #expect(partial.scan.validThrough == switchPoint)
    #expect(report.segments.allSatisfy { $0.status != .damaged })
    let orphan = try #require(report.problems.first { $0.kind == .orphanTimeline })
    #expect(orphan.location.lsn == switchPoint)
    #expect(orphan.location.file == Fixture.path("pg15-split/A/00000001000000000000000E"))
    // A has a real gap (segments 8-B were trimmed); nothing else is wrong.
    #expect(Set(report.problems.map(\.kind)) == [.missingSegment, .orphanTimeline])
  }

  /// B alone: the promoted side's archive holds the `.partial` and the new timeline; nothing
  /// went on past the switch point there.
  @Test func promotedSideAloneIsClean() throws {
    let report = try Verifier().verify(paths: [Fixture.path("pg15-split/B")])
    #expect(report.isClean, "\(report.problems)")
  }

  @Test func timelineWithoutItsHistoryFileIsReportedNamingTheFile() throws {
    let scratch = try Scratch()
    let archive = Fixture.path("pg18-timeline/archive")
    try scratch.copy(try FileManager.default.contentsOfDirectory(atPath: archive)
      .filter { $0 != "00000002.history" }.map { "\(archive)/\($0)" })
    let report = try Verifier().verify(paths: [scratch.path])
    let problems = report.problems.filter { $0.kind == .missingHistory }
    #expect(problems.count == 1)
    #expect(problems.first?.location.file == scratch.file("00000002.history"))

    let gaps = try GapAnalysis(sources: [scratch.path]).run()
    let missing = gaps.problems.filter { $0.kind == .missingHistory }
    #expect(!missing.isEmpty)
    #expect(missing.allSatisfy { $0.location.file == scratch.file("00000002.history") })

    let whole = try Verifier().verify(paths: [archive])
    #expect(whole.isClean, "\(whole.problems)")
  }

  /// A segment of timeline 2 named alone is judged with the history file beside it, as in its
  /// directory; copied away from it, the history is missing where the segment now lies.
  @Test func aSegmentNamedAloneIsJudgedWithTheHistoryBesideIt() throws {
    let segment = Fixture.path("pg18-timeline/archive/00000002000000000000000F")
    let beside = try Verifier().verify(paths: [segment])
    #expect(beside.isClean, "\(beside.problems)")
    #expect(beside.checkedFiles == [Fixture.path("pg18-timeline/archive/00000002.history")])

    let scratch = try Scratch()
    try scratch.copy([segment])
    let alone = try Verifier().verify(paths: [scratch.file("00000002000000000000000F")])
    #expect(alone.problems.map(\.kind) == [.missingHistory])
    #expect(alone.problems.first?.location.file == scratch.file("00000002.history"))
  }
}
