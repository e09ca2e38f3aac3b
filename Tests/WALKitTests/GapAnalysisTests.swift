import Foundation
import Testing
@testable import WALKit

@Suite struct TimelineHistoryTests {
  @Test func parsesWhatPostgreSQLWrites() throws {
    // Reasons of time and LSN targets end with a newline, which leaves blank lines.
    let text = "1\t0/600EB00\tno recovery target specified\n\n2\t0/9000000\tbefore 2026-11-26 15:00:00+00\n\n\n# comment\n  3\t1/A0\tat restore point \"x\"\n"
    let history = try TimelineHistory(timeline: TimelineID(4), text: text)
    #expect(history.entries.map(\.parent) == [1, 2, 3].map { TimelineID($0) })
    #expect(history.entries.map(\.switchPoint) == [LSN(0x600EB00), LSN(0x9000000), LSN(0x1_0000_00A0)])
    #expect(history.entries[1].reason == "before 2026-11-26 15:00:00+00")
    #expect(history.spans.map(\.timeline.rawValue) == [1, 2, 3, 4])
    #expect(history.timeline(at: LSN(0x600EAFF)) == TimelineID(1))
    #expect(history.timeline(at: LSN(0x600EB00)) == TimelineID(2))
    #expect(history.timeline(at: LSN(0x900_0000)) == TimelineID(3))
    #expect(history.timeline(at: LSN(0x1_0000_00A0)) == TimelineID(4))
    #expect(history.switchPoint(after: TimelineID(2)) == LSN(0x9000000))
  }

  /// Recovery of timeline 2's history to a point before its switch (recovery_target_lsn
  /// 0/5000000, target timeline latest) writes timeline 3's history as PostgreSQL's
  /// writeTimeLineHistory does: a copy of timeline 2's, then the new switch point, lower.
  /// PostgreSQL reads it (readTimeLineHistory has no order check on switch points), and
  /// tliOfPointInHistory never finds timeline 2 in it.
  @Test func switchPointsMayGoBackwards() throws {
    let text = "1\t0/6000000\tno recovery target specified\n\n2\t0/5000060\tafter LSN 0/5000000\n\n"
    let history = try TimelineHistory(timeline: TimelineID(3), text: text)
    #expect(history.timeline(at: LSN(0x4FF_FFFF)) == TimelineID(1))
    #expect(history.timeline(at: LSN(0x500_0060)) == TimelineID(3))
    #expect(history.timeline(at: LSN(0x600_0000)) == TimelineID(3))
  }

  @Test(arguments: [
    ("x\t0/1\treason\n", "numeric timeline ID"),
    ("1\n", "switchpoint"),
    ("2\t0/10\ta\n1\t0/20\tb\n", "increasing"),
    ("1\t0/10\ta\n", "less than child"),
  ])
  func refusesWhatPostgreSQLRefuses(_ text: String, _ expected: String) {
    let timeline = text.hasSuffix("0/10\ta\n") && !text.hasPrefix("2") ? TimelineID(1) : TimelineID(5)
    #expect {
      try TimelineHistory(timeline: timeline, text: text)
    } throws: { error in
      (error as? TimelineHistory.ParseError)?.message.contains(expected) == true
    }
  }

  @Test func readsTheFixturesBackupLabelAndBackupFile() throws {
    let label = try WALCatalog.backupLabel(at: Fixture.path("pg18-timeline/backup_label"))
    #expect(label.startLSN == LSN(0xC00028))
    #expect(label.checkpointLSN == LSN(0xC00080))
    #expect(label.startTimeline == TimelineID(1))
    #expect(label.startSegment?.description == "00000001000000000000000C")
    #expect(label.stopLSN == nil)
    let backup = try WALCatalog.backupLabel(at: Fixture.path("pg18-timeline/archive/00000001000000000000000C.00000028.backup"))
    #expect(backup.startLSN == label.startLSN)
    #expect(backup.stopLSN == LSN(0xC00120))
  }
}

/// Paths through timelines, by names: directories of files named like segments (content is
/// not read with `checksContent: false`, but the first one must give the geometry).
@Suite struct RecoveryPathTests {
  /// Makes a directory holding files under `names`, each a copy of a real 1 MiB segment.
  static func archive(_ names: [String], histories: [UInt32: String] = [:]) throws -> Scratch {
    let scratch = try Scratch()
    let segment = Fixture.plainSets[1].segmentPaths[0]
    for name in names {
      try FileManager.default.copyItem(atPath: segment, toPath: scratch.file(name))
    }
    for (timeline, text) in histories {
      try Scratch.write(Array(text.utf8), to: scratch.file(TimelineID(timeline).historyFileName))
    }
    return scratch
  }

  static func names(_ timeline: UInt32, _ segments: ClosedRange<UInt32>) -> [String] {
    segments.map { SegmentName(timeline: TimelineID(timeline), logID: 0, segmentInLog: $0).description }
  }

  /// 1 → 2 at segment 5, 2 → 3 at segment 8, 3 → 4 at segment B; each switch segment exists on
  /// both timelines, as after real promotions.
  static let chainHistories: [UInt32: String] = [
    2: "1\t0/500100\tno recovery target specified\n",
    3: "1\t0/500100\tno recovery target specified\n2\t0/800200\tno recovery target specified\n",
    4: "1\t0/500100\tno recovery target specified\n2\t0/800200\tno recovery target specified\n3\t0/B00300\tno recovery target specified\n",
  ]

  static var chain: [String] {
    names(1, 1...5) + names(2, 5...8) + names(3, 8...11) + names(4, 11...14)
  }

  @Test func followsEverySwitchReadingTheSwitchSegmentFromTheNewTimeline() throws {
    let scratch = try Self.archive(Self.chain, histories: Self.chainHistories)
    let report = try GapAnalysis(sources: [scratch.path], start: .lsn(LSN(0x100028), timeline: TimelineID(1)),
                                 checksContent: false).run()
    #expect(report.continuous)
    #expect(report.targetTimeline == TimelineID(4))
    #expect(report.path.map(\.step.name.description) == Self.names(1, 1...4) + Self.names(2, 5...7) + Self.names(3, 8...10) + Self.names(4, 11...14))
    #expect(report.reachableLSN == LSN(0xF00000))
  }

  @Test func missingSegmentOnTheNewTimelineIsAGapEvenWhenTheOldOneHasIt() throws {
    var names = Self.chain
    names.removeAll { $0 == "000000030000000000000009" }
    names += Self.names(2, 9...9)  // the old timeline's copy of 9, past its switch point
    let scratch = try Self.archive(names, histories: Self.chainHistories)
    let report = try GapAnalysis(sources: [scratch.path], checksContent: false).run()
    #expect(!report.continuous)
    #expect(report.missingRanges.map(\.first.description) == ["000000030000000000000009"])
    #expect(report.missingRanges.map(\.count) == [1])
    #expect(report.blockingProblem?.kind == .missingSegment)
    #expect(report.reachableLSN == LSN(0x900000))
    #expect(report.problems.contains { $0.kind == .orphanTimeline && $0.message.contains("timeline 2") })
  }

  /// A segment of the old timeline that starts exactly at the switch point lies wholly past it:
  /// the old timeline's WAL that is not on the restore path.
  @Test func anOldTimelineSegmentStartingAtTheSwitchPointIsPastIt() throws {
    let histories: [UInt32: String] = [2: "1\t0/500000\tno recovery target specified\n"]
    let scratch = try Self.archive(Self.names(1, 1...5) + Self.names(2, 5...7), histories: histories)
    let report = try GapAnalysis(sources: [scratch.path], checksContent: false).run()
    #expect(report.continuous)
    let orphan = try #require(report.problems.first { $0.kind == .orphanTimeline })
    #expect(orphan.message.hasPrefix("timeline 1 has 1 segment past its switch point 0/500000 (000000010000000000000005 to 000000010000000000000005)"))
  }

  @Test func missingHistoryKeepsAStandbyOnTheOldTimeline() throws {
    var histories = Self.chainHistories
    histories[3] = nil
    let scratch = try Self.archive(Self.chain, histories: histories)
    let report = try GapAnalysis(sources: [scratch.path], checksContent: false).run()
    #expect(!report.continuous)
    #expect(report.targetTimeline == TimelineID(2))
    #expect(report.newestTimeline == TimelineID(4))
    #expect(report.blockingProblem?.kind == .missingHistory)
    #expect(report.blockingProblem?.message.contains("00000003.history") == true)
  }

  /// A history written by recovery to a point before an earlier switch (switch points going
  /// backwards, as PostgreSQL writes it) is followed: timeline 1 up to segment 4, timeline 3 on.
  @Test func historyWhoseSwitchPointsGoBackwardsIsFollowed() throws {
    let scratch = try Self.archive(Self.names(1, 1...6) + Self.names(2, 6...7) + Self.names(3, 5...7), histories: [
      2: "1\t0/600000\tno recovery target specified\n",
      3: "1\t0/600000\tno recovery target specified\n\n2\t0/500060\tafter LSN 0/500000\n\n",
    ])
    let report = try GapAnalysis(sources: [scratch.path], checksContent: false).run()
    #expect(report.continuous, "\(report.problems)")
    #expect(report.problems.filter { $0.kind == .unreadableFile }.isEmpty, "\(report.problems)")
    #expect(report.targetTimeline == TimelineID(3))
    #expect(report.path.map(\.step.name.description) == Self.names(1, 1...4) + Self.names(3, 5...7))
  }

  /// `--timeline N` needs N's history file even when N is the start's timeline (PostgreSQL:
  /// "recovery target timeline N does not exist"); timeline 1 has none.
  @Test func aRequestedTimelineWithoutItsHistoryDoesNotExist() throws {
    let scratch = try Self.archive(Self.names(3, 1...2))
    let start = GapAnalysis.StartPoint.segment(SegmentName(fileName: "000000030000000000000001")!)
    let report = try GapAnalysis(sources: [scratch.path], start: start, timeline: .timeline(TimelineID(3)), checksContent: false).run()
    #expect(!report.continuous)
    #expect(report.blockingProblem?.kind == .missingHistory)
    let first = try Self.archive(Self.names(1, 1...2))
    #expect(try GapAnalysis(sources: [first.path], timeline: .timeline(TimelineID(1)), checksContent: false).run().continuous)
  }

  /// A standby's pg_control (TestData/control/pg15-standby-stopped: checkpoint 0/A00060, redo
  /// 0/A00028, minimum recovery point 0/C5FFF0 on timeline 1) against histories forking at
  /// several points, as InitWalRecovery judges it: the checkpoint, and the minimum recovery
  /// point less one, must lie on timeline 1 in the new timeline's history.
  @Test(arguments: [
    ("0/D00000", nil),
    ("0/C5FFF0", nil),
    ("0/C5FFEF", "requested timeline 2 does not contain minimum recovery point 0/C5FFF0 on timeline 1"),
    ("0/A00061", "requested timeline 2 does not contain minimum recovery point 0/C5FFF0 on timeline 1"),
    ("0/A00060", "requested timeline 2 is not a child of this server's history: latest checkpoint in pg_control is at 0/A00060 on timeline 1, but in the history of the requested timeline, the server forked off from that timeline at 0/A00060"),
  ] as [(String, String?)])
  func aStandbyPastTheForkCannotFollowTheNewTimeline(_ switchPoint: String, _ refusal: String?) throws {
    let data = try Scratch()
    try FileManager.default.createDirectory(atPath: data.file("global"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: Fixture.path("control/pg15-standby-stopped/global/pg_control"), toPath: data.file("global/pg_control"))
    try Scratch.write([], to: data.file("standby.signal"))
    let archive = try Self.archive(Self.names(1, 10...13) + Self.names(2, 10...14), histories: [2: "1\t\(switchPoint)\tno recovery target specified\n"])
    let report = try GapAnalysis(sources: [archive.path], start: .dataDirectory(DataDirectory(path: data.path)), checksContent: false).run()
    #expect(report.continuous == (refusal == nil), "\(report.problems)")
    #expect(report.targetTimeline == TimelineID(refusal == nil ? 2 : 1))
    if let refusal {
      #expect(report.blockingProblem?.kind == .timelineMismatch)
      #expect(report.blockingProblem?.message == refusal)
    }
  }

  @Test func missingRangesAreCompact() throws {
    let scratch = try Self.archive(Self.names(1, 1...3) + Self.names(1, 8...9))
    let report = try GapAnalysis(sources: [scratch.path], checksContent: false).run()
    #expect(report.missingRanges.count == 1)
    #expect(report.missingRanges.first?.count == 4)
    #expect(report.missingRanges.first?.bytes == 4 << 20)
    #expect(report.missingRanges.first?.first.description == "000000010000000000000004")
    #expect(report.reachableLSN == LSN(0x400000))
  }

  @Test func segmentBeforeTheStartIsNotNeeded() throws {
    let scratch = try Self.archive(Self.names(1, 1...2) + Self.names(1, 4...6))
    let report = try GapAnalysis(sources: [scratch.path], start: .segment(SegmentName(fileName: "000000010000000000000004")!),
                                 checksContent: false).run()
    #expect(report.continuous)
    #expect(report.path.count == 3)
  }

  @Test func laterSourceFillsAGapAndTheFirstWins() throws {
    let archive = try Self.archive(Self.names(1, 1...2) + Self.names(1, 4...5))
    let pgWal = try Self.archive(Self.names(1, 3...4))
    let report = try GapAnalysis(sources: [archive.path, pgWal.path], checksContent: false).run()
    #expect(report.continuous)
    #expect(report.path.map { $0.source == archive.path } == [true, true, false, true, true])
  }

  @Test func realTimelineSwitchFromTheBackupLabel() throws {
    let report = try GapAnalysis(
      sources: [Fixture.path("pg18-timeline/archive")],
      start: .backup(try WALCatalog.backupLabel(at: Fixture.path("pg18-timeline/backup_label")), origin: "backup_label")
    ).run()
    #expect(report.continuous, "\(report.problems)")
    #expect(report.targetTimeline == TimelineID(2))
    #expect(report.path.map(\.step.name.description) == ["00000001000000000000000C", "00000001000000000000000D",
                                                          "00000002000000000000000E", "00000002000000000000000F"])
    #expect(report.path.allSatisfy { $0.status == .ok })
    #expect(report.start.backupEnd == LSN(0xC00120))
    #expect(report.reachesConsistency == true)
    #expect(report.reachableLSN == LSN(0x1000000))
  }

  /// The backup's end lies in a segment not archived yet (the low-traffic case): the segments up
  /// to it are missing, and a restore stops with "WAL ends before end of online backup". (STOP WAL
  /// LOCATION is made up; the segments are PostgreSQL 15's.)
  @Test func segmentsUpToTheBackupsEndAreNeeded() throws {
    let scratch = try Scratch()
    _ = try scratch.copy(Array(Fixture.plainSets[0].segmentPaths.prefix(2)), into: "archive")
    let label = try BackupLabel(text: """
      START WAL LOCATION: 0/700028 (file 000000010000000000000007)
      STOP WAL LOCATION: 0/A00100 (file 00000001000000000000000A)
      START TIMELINE: 1
      """)
    let report = try GapAnalysis(sources: [scratch.file("archive")], start: .backup(label, origin: "test")).run()
    #expect(!report.continuous)
    #expect(report.blockingProblem?.kind == .missingSegment)
    #expect(report.missingRanges.map { "\($0.first)-\($0.last)" } == ["000000010000000000000009-00000001000000000000000A"])
    #expect(report.path.map(\.status) == [.ok, .ok, .missing])
    // Replay ends before the record pg_waldump 15 lists as running from segment 8 into 9.
    let listing = WaldumpRecord.parse(try Fixture.text("pg15/waldump.txt.gz"))
    let crossing = try #require(listing.last { $0.lsn < LSN(0x900000) })
    #expect(crossing.lsn.rawValue + UInt64(crossing.totalLength) > 0x900000)
    #expect(report.reachableLSN == crossing.lsn)
    #expect(report.reachesConsistency == false)
  }

  /// A label of a standby's backup alone cannot say where the backup is consistent (its
  /// pg_control's minRecoveryPoint): a recovery target is refused, continuity is still answered.
  @Test func aStandbysBackupLabelAloneGivesNoConsistencyPoint() throws {
    let label = try BackupLabel(text: """
      START WAL LOCATION: 0/700028 (file 000000010000000000000007)
      CHECKPOINT LOCATION: 0/700060
      BACKUP METHOD: streamed
      BACKUP FROM: standby
      START TIMELINE: 1
      """)
    #expect(label.isFromStandby)
    let sources = [Fixture.path(Fixture.plainSets[0].archive)]
    #expect {
      try GapAnalysis(sources: sources, start: .backup(label, origin: "backup_label"), recoveryTarget: .immediate).run()
    } throws: { error in
      (error as? GapAnalysis.Failure).map { $0.isUsageError && $0.description.contains("BACKUP FROM: standby") } ?? false
    }
    let report = try GapAnalysis(sources: sources, start: .backup(label, origin: "backup_label")).run()
    #expect(report.continuous, "\(report.problems)")
    #expect(report.reachesConsistency == nil)
  }

  @Test func damagedSegmentOnThePathStopsReplayAtTheBadRecord() throws {
    let scratch = try Scratch()
    let copies = try scratch.copy(Fixture.plainSets[1].segmentPaths, into: "archive")
    try Scratch.patch(copies[1]) { $0[300_000] ^= 0x10 }
    let report = try GapAnalysis(sources: [scratch.file("archive")]).run()
    #expect(!report.continuous)
    #expect(report.blockingProblem?.kind == .crcMismatch)
    #expect(report.reachableLSN == report.blockingProblem?.location.lsn)
  }

  /// The old timeline's copy of the segment where the new timeline begins, and not the new
  /// timeline's (TestData/pg16-switch-segment, real PostgreSQL 16): replay reads the new
  /// timeline's file from the switch point on, so it waits there. The real standby logged
  /// "invalid contrecord length … at" the switch point and waited, timeline 2's later segments
  /// unused. Without those later files, the switch point is where the WAL ends.
  @Test func theNewTimelinesCopyOfTheSwitchSegmentIsNeeded() throws {
    let log = try Fixture.text("pg16-switch-segment/standby-log.txt")
    let stop = try #require(log.firstRange(of: ") at ").flatMap { LSN(String(log[$0.upperBound...].prefix { !$0.isWhitespace })) })
    let scratch = try Scratch()
    let archive = Fixture.path("pg16-switch-segment/archive")
    for name in try FileManager.default.contentsOfDirectory(atPath: archive) {
      try FileManager.default.copyItem(atPath: "\(archive)/\(name)", toPath: scratch.file(name))
    }
    let first = try #require(SegmentName(fileName: "000000010000000000000035"))
    for checksContent in [true, false] {
      let report = try GapAnalysis(sources: [scratch.path], start: .segment(first), checksContent: checksContent).run()
      #expect(!report.continuous)
      #expect(report.blockingProblem?.kind == .missingSegment)
      #expect(report.blockingProblem?.location.segment?.description == "000000020000000000000035")
      if checksContent { #expect(report.reachableLSN == stop) }
    }
    try FileManager.default.removeItem(atPath: scratch.file("000000020000000000000036.gz"))
    let ending = try GapAnalysis(sources: [scratch.path], start: .segment(first)).run()
    #expect(ending.continuous, "\(ending.problems)")
    #expect(ending.reachableLSN == stop)
  }
}
