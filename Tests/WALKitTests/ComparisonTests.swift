import Foundation
import Testing
@testable import WALKit
@testable import WALReader

@Suite struct ComparisonTests {
  static let pg16 = Fixture.plainSets[1]

  @Test func copyOfAnArchiveIsTheSameWAL() throws {
    let scratch = try Scratch()
    try scratch.copy(Self.pg16.segmentPaths, into: "copy")
    let report = try WALComparison(a: Self.pg16.archiveURL.path, b: scratch.file("copy")).run()
    #expect(report.isSameWAL)
    #expect(report.segments.map(\.result) == Array(repeating: .identical, count: 4))
    #expect(report.divergence == nil)
  }

  /// A flipped byte breaks a record's CRC: that side is damaged there, which is not another
  /// history, so no divergence is derived from it.
  @Test func flippedByteIsDamageNotAnotherHistory() throws {
    let scratch = try Scratch()
    let copies = try scratch.copy(Self.pg16.segmentPaths, into: "copy")
    try Scratch.patch(copies[1]) { $0[300_000] ^= 0x10 }
    var recordLSN: LSN?
    _ = try WALStream(paths: [Self.pg16.archiveURL.path]).forEachRecord { record in
      if record.lsn.rawValue <= 0x700000 + 300_000 && record.end.rawValue > 0x700000 + 300_000 { recordLSN = record.lsn }
    }
    let damagedAt = try #require(recordLSN)
    let report = try WALComparison(a: Self.pg16.archiveURL.path, b: scratch.file("copy")).run()
    #expect(!report.isSameWAL)
    #expect(report.differing.isEmpty)
    #expect(report.damaged.map { $0.segment.rawValue } == [7])
    #expect(report.damaged.first?.note.hasPrefix("B's valid WAL stops at \(damagedAt): incorrect resource manager data checksum") == true)
    #expect(report.divergence == nil)
  }

  /// A missing segment and a truncated one on one side are that side's damage.
  @Test func missingAndTruncatedSegmentsAreDamage() throws {
    let scratch = try Scratch()
    let copies = try scratch.copy(Self.pg16.segmentPaths, into: "copy")
    try FileManager.default.removeItem(atPath: copies[1])
    let missing = try WALComparison(a: Self.pg16.archiveURL.path, b: scratch.file("copy")).run()
    #expect(missing.missingInB.map { $0.segment.rawValue } == [7])
    #expect(missing.divergence == nil)
    try FileManager.default.copyItem(atPath: Self.pg16.segmentPaths[1], toPath: copies[1])
    try FileManager.default.removeItem(atPath: copies[2])
    try Scratch.write(Array(try Scratch.bytes(Self.pg16.segmentPaths[2]).prefix(500_000)), to: copies[2])
    let truncated = try WALComparison(a: Self.pg16.archiveURL.path, b: scratch.file("copy")).run()
    #expect(truncated.damaged.map { $0.segment.rawValue } == [8])
    #expect(truncated.divergence == nil)
    #expect(!truncated.isSameWAL)
  }

  /// A segment only one side has is read too: truncated there while the other side lacks it, it
  /// is that side's damage (not WAL the other side is missing), and says where its WAL stops.
  @Test func aDamagedSegmentOnlyOneSideHasIsDamage() throws {
    let scratch = try Scratch()
    let a = try scratch.copy(Self.pg16.segmentPaths, into: "a")
    let b = try scratch.copy(Self.pg16.segmentPaths, into: "b")
    try FileManager.default.removeItem(atPath: a[1])
    try FileManager.default.removeItem(atPath: b[1])
    try Scratch.write(Array(try Scratch.bytes(Self.pg16.segmentPaths[1]).prefix(500_000)), to: b[1])
    let report = try WALComparison(a: scratch.file("a"), b: scratch.file("b")).run()
    #expect(report.missingInA.map { $0.segment.rawValue } == [7])
    let damaged = try #require(report.damaged.first)
    #expect(report.damaged.count == 1)
    #expect(damaged.result == .onlyInB && damaged.copyIsDamaged)
    #expect(damaged.note.hasPrefix("only in B, and damaged: its valid WAL stops at"), "\(damaged.note)")

    let whole = try WALComparison(a: scratch.file("a"), b: Self.pg16.archiveURL.path).run()
    #expect(whole.damaged.isEmpty)
    #expect(whole.onlyInB.map { $0.note } == ["only in B"])

    // A `.partial` cut short is damaged too (pg_receivewal's are full size).
    try FileManager.default.removeItem(atPath: b[1])
    try Scratch.write(Array(try Scratch.bytes(Self.pg16.segmentPaths[1]).prefix(500_000)), to: b[1] + ".partial")
    let partial = try WALComparison(a: scratch.file("a"), b: scratch.file("b")).run()
    #expect(partial.damaged.map { $0.segment.rawValue } == [7])
    #expect(partial.damaged.first?.note.contains("file has 500000 bytes") == true, "\(partial.damaged.map(\.note))")
  }

  /// --range starting past the recorded switch point of a real promotion (TestData/pg15-split)
  /// names that switch point rather than calling the first difference inside it a split brain.
  @Test func rangePastTheSwitchPointNamesIt() throws {
    let switchPoint = try #require(LSN(try Fixture.text("pg15-split/switch-point").strippingWhitespace(newlines: true)))
    let report = try WALComparison(a: Fixture.path("pg15-split/A"), b: Fixture.path("pg15-split/B"),
                                   range: LSN(0xE80000)...LSN(0xF80000)).run()
    let divergence = try #require(report.divergence)
    #expect(divergence.switchPointBeforeRange == switchPoint)
    let whole = try WALComparison(a: Fixture.path("pg15-split/A"), b: Fixture.path("pg15-split/B")).run()
    #expect(whole.divergence?.lsn == switchPoint)
    #expect(whole.divergence?.isSwitchPoint == true)
    #expect(whole.divergence?.switchPointBeforeRange == nil)
  }

  @Test func differentTailPastTheEndOfWALIsTheSameWAL() throws {
    let scratch = try Scratch()
    let copies = try scratch.copy(Self.pg16.segmentPaths, into: "copy")
    // The last segment ends with an XLOG SWITCH record; what follows is unused.
    try Scratch.patch(copies[3]) { $0[$0.count - 100] = 0x5A }
    let report = try WALComparison(a: Self.pg16.archiveURL.path, b: scratch.file("copy")).run()
    #expect(report.isSameWAL)
    #expect(report.segments.last?.result == .sameWAL)
  }

  /// A recycled file being written again (as in a live pg_wal): its first pages are the new
  /// segment's, the rest an older segment's pages. Its WAL ends where those begin, the same WAL as
  /// the whole segment's up to there, and the note says what lies past it.
  @Test func aRecycledFileBeingWrittenIsAPrefixAndSaysSo() throws {
    let scratch = try Scratch()
    let copies = try scratch.copy(Self.pg16.segmentPaths, into: "copy")
    let older = try Scratch.bytes(Self.pg16.segmentPaths[1])
    let pages = 40 * 8192
    try Scratch.patch(copies[2]) { bytes in
      for offset in pages..<bytes.count { bytes[offset] = older[offset] }
    }
    // It is the newest segment of its copy: the segments after it are not written yet.
    for later in copies.dropFirst(3) { try FileManager.default.removeItem(atPath: later) }
    let report = try WALComparison(a: Self.pg16.archiveURL.path, b: scratch.file("copy")).run()
    let segment = try #require(report.segments.first { $0.segment.rawValue == 8 })
    #expect(segment.result == .sameWAL)
    #expect(segment.note.contains("(recycled: older pages after it)"), "\(segment.note)")
  }

  /// A timeline-1 .partial and the timeline-2 copy of the same switch segment hold the same
  /// records up to the .partial's end: matched by LSN range, the same WAL.
  @Test func partialAndNewTimelineCopyOfTheSwitchSegmentAreTheSameWAL() throws {
    let scratch = try Scratch()
    let archive = Fixture.path("pg18-timeline/archive")
    try scratch.copy(["00000001000000000000000C", "00000001000000000000000D", "00000001000000000000000E.partial"]
      .map { archive + "/" + $0 }, into: "old")
    try scratch.copy(["00000001000000000000000C", "00000001000000000000000D", "00000002000000000000000E"]
      .map { archive + "/" + $0 }, into: "new")
    let report = try WALComparison(a: scratch.file("old"), b: scratch.file("new")).run()
    #expect(report.isSameWAL, "\(report.segments.map(\.note))")
    let switchSegment = try #require(report.segments.last)
    #expect(switchSegment.fileA?.isPartial == true)
    #expect(switchSegment.fileB?.name?.timeline == TimelineID(2))
    #expect(switchSegment.result == .sameWAL)
  }

  @Test func twoSegmentFilesAreComparedDirectly() throws {
    // The old primary's and the promoted standby's copies of the switch segment.
    let report = try WALComparison(a: Fixture.path("pg15-split/A/00000001000000000000000E"),
                                   b: Fixture.path("pg15-split/B/00000002000000000000000E")).run()
    #expect(report.segments.count == 1)
    #expect(report.segments.first?.result == .different)
    #expect(report.divergence?.lsn == LSN(try Fixture.text("pg15-split/switch-point").strippingWhitespace(newlines: true)))
    #expect(report.divergence?.recordA != nil)

    let scratch = try Scratch()
    let copy = scratch.file("renamed-copy")
    try FileManager.default.copyItem(atPath: Self.pg16.segmentPaths[2], toPath: copy)
    try Scratch.patch(copy) { $0[200_000] ^= 0x01 }
    let damaged = try WALComparison(a: Self.pg16.segmentPaths[2], b: copy).run()
    #expect(damaged.segments.map(\.result) == [.damaged])
    #expect(damaged.divergence == nil)
  }

  @Test func rangeLimitsTheComparison() throws {
    let scratch = try Scratch()
    let copies = try scratch.copy(Self.pg16.segmentPaths, into: "copy")
    try Scratch.patch(copies[1]) { $0[300_000] ^= 0x10 }
    let report = try WALComparison(a: Self.pg16.archiveURL.path, b: scratch.file("copy"),
                                   range: LSN(0x800000)...LSN(0xA00000)).run()
    #expect(report.isSameWAL)
    #expect(report.segments.map { $0.segment.rawValue } == [8, 9])
  }
}

/// A real split brain (TestData/pg15-split): a standby promoted while its primary kept writing on
/// timeline 1. A is the old primary's archive, B the promoted standby's.
@Suite struct SplitBrainTests {
  static let split = Fixture.testData.appendingPathComponent("pg15-split")

  static func listing(_ name: String) throws -> [WaldumpRecord] {
    WaldumpRecord.parse(try Fixture.text("pg15-split/\(name)"))
  }

  @Test func divergesAtTheRecordedSwitchPointAndCountsWhatTheOldPrimaryWrotePastIt() throws {
    let switchPoint = try #require(LSN(try Fixture.text("pg15-split/switch-point").strippingWhitespace(newlines: true)))
    let oldPrimary = try Self.listing("A-pg_waldump.txt")
    let promoted = try Self.listing("B-tli2-pg_waldump.txt")
    let report = try WALComparison(a: Self.split.appendingPathComponent("A").path, b: Self.split.appendingPathComponent("B").path).run()
    #expect(!report.isSameWAL)
    let divergence = try #require(report.divergence)
    #expect(divergence.lsn == switchPoint)
    #expect(divergence.isSwitchPoint == true)
    #expect(divergence.timelineA == TimelineID(1))
    #expect(divergence.timelineB == TimelineID(2))
    let atSwitchA = try #require(oldPrimary.first { $0.lsn == switchPoint })
    let atSwitchB = try #require(promoted.first { $0.lsn == switchPoint })
    #expect(divergence.recordA.map { "\($0.resourceManager.name)/\($0.typeName)" } == "\(atSwitchA.rmgr)/\(atSwitchA.type)")
    #expect(divergence.recordB.map { "\($0.resourceManager.name)/\($0.typeName)" } == "\(atSwitchB.rmgr)/\(atSwitchB.type)")
    #expect(divergence.recordA?.totalLength == UInt32(atSwitchA.totalLength))
    let past = oldPrimary.filter { $0.lsn >= switchPoint }
    #expect(divergence.beyondA?.records == past.count)
    #expect(divergence.beyondA?.commits == past.filter { $0.rmgr == "Transaction" && $0.type == "COMMIT" }.count)
    #expect(divergence.beyondA.map { $0.end > oldPrimary.last!.lsn } == true)
    #expect(divergence.beyondA?.bytes == divergence.beyondA.map { $0.end.distance(from: switchPoint) })
    // Before the switch point, both sides hold the same segments.
    #expect(report.segments.filter { $0.result == .identical }.map { $0.segment.rawValue } == [0xC, 0xD])
  }

  /// A promotion right after an XLOG SWITCH (TestData/pg15-split-boundary): the history's
  /// switch point is the next segment's start, and the sides part at the first record past its
  /// long header, where pg_waldump 15 lists the promoted side's first timeline-2 record.
  @Test func aSwitchPointAtASegmentsStartIsWhereTheFirstRecordsDiffer() throws {
    let root = Fixture.testData.appendingPathComponent("pg15-split-boundary")
    let switchPoint = try #require(LSN(try Fixture.text("pg15-split-boundary/switch-point").strippingWhitespace(newlines: true)))
    #expect(switchPoint.rawValue % (1 << 20) == 0)
    let oldPrimary = WaldumpRecord.parse(try Fixture.text("pg15-split-boundary/A-pg_waldump.txt"))
    let promoted = WaldumpRecord.parse(try Fixture.text("pg15-split-boundary/B-tli2-pg_waldump.txt"))
    let report = try WALComparison(a: root.appendingPathComponent("A").path, b: root.appendingPathComponent("B").path).run()
    let divergence = try #require(report.divergence)
    #expect(divergence.lsn == promoted.first?.lsn)
    #expect(divergence.lsn == oldPrimary.first { $0.lsn >= switchPoint }?.lsn)
    #expect(divergence.isSwitchPoint == true)
    #expect(divergence.switchPoint == switchPoint)
    #expect(divergence.beyondA?.records == oldPrimary.filter { $0.lsn >= switchPoint }.count)
    #expect(report.segments.filter { $0.result == .identical }.map { $0.segment.rawValue } == [switchPoint.rawValue >> 20 - 1])
  }

  @Test func divergenceAwayFromTheSwitchPointIsSplitBrain() throws {
    let scratch = try Scratch()
    try scratch.copy(try FileManager.default.contentsOfDirectory(atPath: Self.split.appendingPathComponent("B").path)
      .map { Self.split.appendingPathComponent("B/\($0)").path }, into: "B")
    try Scratch.write(Array("1\t0/E00000\tno recovery target specified\n".utf8), to: scratch.file("B/00000002.history"))
    let report = try WALComparison(a: Self.split.appendingPathComponent("A").path, b: scratch.file("B")).run()
    let divergence = try #require(report.divergence)
    #expect(divergence.isSwitchPoint == false)
    #expect(divergence.switchPoint == LSN(0xE00000))
  }

  @Test func earlyCopyOfASegmentIsAPrefixOfTheArchivedOne() throws {
    let stderr = try Fixture.text("pg15-split/early-copy/pg_waldump.stderr")
    let endText = try #require(stderr.split(separator: " ").drop { $0 != "length" }.dropFirst(2).first)
    let end = try #require(LSN(String(endText.dropLast())))
    let report = try WALComparison(a: Self.split.appendingPathComponent("early-copy/000000010000000000000007").path,
                                   b: Self.split.appendingPathComponent("A/000000010000000000000007").path).run()
    #expect(report.isSameWAL)
    let segment = try #require(report.segments.first)
    #expect(segment.result == .sameWAL)
    #expect(segment.validThroughA == end)
    #expect(segment.firstDifferentLSN == end)
  }

  /// An old primary's pg_wal and its promoted standby's, both written on after the promotion,
  /// each cut to the first segment both still hold (TestData/pg15-failover, real PostgreSQL 15):
  /// the segment of the switch point is gone from both, so that segment's two copies differ from
  /// their first WAL. The histories part at the switch point of 00000002.history, which is
  /// where PostgreSQL's pg_rewind --dry-run says the two servers diverged.
  @Test func pgWalDirectoriesThatDifferFromTheirFirstWALPartAtTheRecordedSwitchPoint() throws {
    let rewind = try Fixture.text("pg15-failover/pg_rewind.txt")
    let diverged = try #require(rewind.firstRange(of: "servers diverged at WAL location ").map {
      LSN(String(rewind[$0.upperBound...].prefix { $0 != " " }))
    } ?? nil)
    let report = try WALComparison(a: Fixture.path("pg15-failover/a"), b: Fixture.path("pg15-failover/b")).run()
    let divergence = try #require(report.divergence)
    #expect(divergence.isSwitchPoint == true)
    #expect(divergence.switchPoint == diverged)
    #expect(divergence.beforeSharedWAL == LSN(0x110_0000))
    #expect(divergence.timelineA == TimelineID(1) && divergence.timelineB == TimelineID(2))
    #expect(divergence.firstDifferentOffset == UInt64(PageHeader.longSize))
    #expect(divergence.differsInContinuationA != divergence.differsInContinuationB)
    #expect(report.switchPoints == [diverged])
  }

  /// Two pg_wal copies whose files past the end of WAL are different recycled files: neither
  /// holds WAL of that segment, which is what the note says, not "the same records".
  @Test func recycledFilesOnBothSidesHoldNoWAL() throws {
    let scratch = try Scratch()
    let live = Fixture.path("pg15-live/pg_wal")
    let copy = scratch.file("pg_wal")
    try FileManager.default.copyItem(atPath: live, toPath: copy)
    try FileManager.default.removeItem(atPath: copy + "/000000010000000000000019")
    try FileManager.default.copyItem(atPath: copy + "/00000001000000000000001A", toPath: copy + "/000000010000000000000019")
    let report = try WALComparison(a: live, b: copy).run()
    #expect(report.isSameWAL)
    let recycled = try #require(report.segments.first { $0.result == .sameWAL })
    #expect(recycled.fileA?.name?.description == "000000010000000000000019")
    #expect(recycled.note == "neither holds WAL of this segment: both lie past their side's end of WAL (A: a recycled file; B: a recycled file)")
  }

  /// A copy whose segment turns to zeros inside a record that goes on into later segments it
  /// also holds: that is damage, not a copy that ends early (pg_waldump stops there with
  /// "invalid magic number 0000"; diff said SAME WAL).
  @Test func zerosFollowedByLaterSegmentsAreDamageNotAPrefix() throws {
    let a = try LongRecordTests.plainCopy("pg15-long/1mb")
    let b = try LongRecordTests.plainCopy("pg15-long/1mb")
    let names = try FileManager.default.contentsOfDirectory(atPath: b.path).sorted()
    try Scratch.patch(b.file(names[1])) { bytes in
      for offset in (1 << 19)..<bytes.count { bytes[offset] = 0 }
    }
    let report = try WALComparison(a: a.path, b: b.path).run()
    #expect(!report.isSameWAL)
    #expect(report.damaged.map { $0.segment.rawValue } == [8])
    #expect(report.damaged.first?.note.hasSuffix("but \(names[2]) follows on that side: damage, not an end of WAL") == true)

    // Without the later segments it is a copy that ends early: where the record it leaves
    // unfinished starts, the record pg_waldump 15 lists as crossing into segment 8.
    for name in names.dropFirst(2) { try FileManager.default.removeItem(atPath: b.file(name)) }
    let shorter = try WALComparison(a: a.path, b: b.path).run()
    #expect(shorter.damaged.isEmpty)
    let cut = try #require(shorter.segments.first { $0.segment.rawValue == 8 })
    #expect(cut.result == .sameWAL)
    let unfinished = try #require(try LongRecordTests.expected("pg15-long/1mb").last { $0.lsn.rawValue < 0x80_0000 })
    #expect(unfinished.lsn.rawValue + UInt64(unfinished.totalLength) > 0x88_0000)
    #expect(cut.prefix?.end == unfinished.lsn)
    #expect(cut.firstDifferentLSN == unfinished.lsn)
    #expect(cut.note.hasPrefix("B is a prefix: its WAL ends at \(unfinished.lsn) (zero tail)"), "\(cut.note)")

    // Cut short instead of zeroed: damage, whose valid WAL also ends where that record starts.
    let bytes = try Scratch.bytes(b.file(names[1]))
    try FileManager.default.removeItem(atPath: b.file(names[1]))
    try Scratch.write(Array(bytes.prefix(1 << 19)), to: b.file(names[1]))
    let truncated = try WALComparison(a: a.path, b: b.path).run()
    let short = try #require(truncated.segments.first { $0.segment.rawValue == 8 })
    #expect(short.result == .damaged)
    #expect(short.firstDifferentLSN == unfinished.lsn)
    #expect(short.note.hasPrefix("B's valid WAL stops at \(unfinished.lsn): "), "\(short.note)")
  }

  /// The system identifier in a segment's first page header, as PostgreSQL wrote it.
  static func systemIdentifier(_ path: String) throws -> UInt64 {
    try Scratch.bytes(path)[24..<32].reversed().reduce(0) { $0 << 8 | UInt64($1) }
  }

  /// Another cluster's segment under a name of a side's own: that copy is damaged, and the
  /// verdict names both system identifiers (the first different byte is the identifier's).
  @Test func anotherClustersSegmentIsDamageNamingItsSystem() throws {
    let scratch = try Scratch()
    let pg15 = Fixture.plainSets[0]
    let b = try scratch.copy(ComparisonTests.pg16.segmentPaths, into: "b")
    try FileManager.default.removeItem(atPath: b[1])
    try FileManager.default.copyItem(atPath: pg15.segmentPaths[1], toPath: b[1])
    let own = try Self.systemIdentifier(ComparisonTests.pg16.segmentPaths[1]), foreign = try Self.systemIdentifier(pg15.segmentPaths[1])
    #expect(own != foreign)

    let report = try WALComparison(a: ComparisonTests.pg16.archiveURL.path, b: scratch.file("b")).run()
    #expect(!report.isOfDifferentSystems)
    #expect(report.systemIdentifierA == own && report.systemIdentifierB == own)
    let damaged = try #require(report.damaged.first)
    #expect(report.damaged.count == 1 && damaged.segment.rawValue == 7 && damaged.result == .damaged)
    #expect(damaged.firstDifferentOffset == 24)
    #expect(damaged.note == "B's copy is WAL of another database system: system identifier \(foreign), while 3 other segments of B have \(own)")
    #expect(report.divergence == nil)
  }

  /// Two sides of different clusters are not two histories of one: every segment both have
  /// differs at the system identifier, and no divergence is made up.
  @Test func sidesOfDifferentClustersAreSaidToBe() throws {
    let pg15 = Fixture.plainSets[0]
    let idA = try Self.systemIdentifier(pg15.segmentPaths[0]), idB = try Self.systemIdentifier(ComparisonTests.pg16.segmentPaths[0])
    let report = try WALComparison(a: pg15.archiveURL.path, b: ComparisonTests.pg16.archiveURL.path).run()
    #expect(report.isOfDifferentSystems)
    #expect(report.systemIdentifierA == idA && report.systemIdentifierB == idB)
    #expect(report.divergence == nil)
    let both = report.segments.filter { $0.fileA != nil && $0.fileB != nil }
    #expect(!both.isEmpty)
    #expect(both.allSatisfy { $0.result == .different && $0.firstDifferentOffset == 24 })

    let files = try WALComparison(a: pg15.segmentPaths[1], b: ComparisonTests.pg16.segmentPaths[1]).run()
    #expect(files.isOfDifferentSystems)
    #expect(files.segments.first?.note == "of different database systems: system identifier \(idA) in A, \(idB) in B")
  }
}
