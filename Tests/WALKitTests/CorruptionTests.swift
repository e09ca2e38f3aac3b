import Foundation
import Testing
@testable import WALKit

/// Damage made in the test from pristine real WAL, reported with the right kind and location.
@Suite struct CorruptionTests {
  /// A scratch copy of one version's archive, and its records as read from the pristine files.
  struct Damaged {
    let scratch: Scratch
    let directory: String
    let segments: [String]
    let records: [(lsn: LSN, end: LSN)]
    let segmentSize: UInt64 = 1 << 20

    init(_ set: Fixture.Set) throws {
      scratch = try Scratch()
      segments = try scratch.copy(set.segmentPaths, into: "archive")
      directory = scratch.url.appendingPathComponent("archive").path
      var found: [(LSN, LSN)] = []
      _ = try WALStream(paths: [directory]).forEachRecord { found.append(($0.lsn, $0.end)) }
      records = found
    }

    func file(of lsn: LSN) -> String {
      let name = SegmentName(timeline: TimelineID(1), segment: SegmentNumber(lsn.rawValue / segmentSize),
                             geometry: WALGeometry(segmentSize: segmentSize, pageSize: 8192)!)!
      return directory + "/" + name.description
    }

    func offset(of lsn: LSN) -> Int { Int(lsn.rawValue % segmentSize) }

    /// A record in the second segment that lies inside one page, well away from its edges.
    var recordInsideAPage: (lsn: LSN, end: LSN) {
      let second = segmentStart(1)
      return records.first { record in
        record.lsn > second.advanced(by: 100_000)! && record.end.rawValue - record.lsn.rawValue > 40
          && record.lsn.rawValue / 8192 == (record.end.rawValue - 1) / 8192
      }!
    }

    func segmentStart(_ index: Int) -> LSN {
      LSN(records.first!.lsn.rawValue / segmentSize * segmentSize + UInt64(index) * segmentSize)
    }

    func verify() throws -> VerificationReport { try Verifier(jobs: 2).verify(paths: [directory]) }
  }

  @Test(arguments: Fixture.plainSets)
  func pristineCopyIsClean(_ set: Fixture.Set) throws {
    let report = try Damaged(set).verify()
    #expect(report.isClean, "\(report.problems)")
  }

  @Test(arguments: Fixture.plainSets)
  func flippedBitInARecordIsACRCMismatchAtThatRecord(_ set: Fixture.Set) throws {
    let wal = try Damaged(set)
    let record = wal.recordInsideAPage
    try Scratch.patch(wal.file(of: record.lsn)) { $0[wal.offset(of: record.lsn) + 30] ^= 0x04 }
    let report = try wal.verify()
    #expect(report.problems.map(\.kind) == [.crcMismatch])
    #expect(report.problems.first?.location.lsn == record.lsn)
    #expect(report.problems.first?.location.file == wal.file(of: record.lsn))
    #expect(report.problems.first?.location.fileOffset == UInt64(wal.offset(of: record.lsn)))
  }

  /// The verifier checks records that cross pages piece by piece, without assembling them.
  @Test(arguments: Fixture.plainSets)
  func flippedBitOnTheSecondPageOfARecordIsACRCMismatch(_ set: Fixture.Set) throws {
    let wal = try Damaged(set)
    let second = wal.segmentStart(1)
    let record = try #require(wal.records.first { record in
      record.lsn > second.advanced(by: 50_000)! && (record.end.rawValue - 1) / 8192 > record.lsn.rawValue / 8192
        && record.end.rawValue % 8192 > 200
    })
    let target = LSN(record.end.rawValue - 100)  // on the record's last page, past the page header
    try Scratch.patch(wal.file(of: target)) { $0[wal.offset(of: target)] ^= 0x01 }
    let report = try wal.verify()
    #expect(report.problems.map(\.kind) == [.crcMismatch])
    #expect(report.problems.first?.location.lsn == record.lsn)
  }

  @Test(arguments: Fixture.plainSets)
  func damagedPrevLinkIsAnInvalidRecord(_ set: Fixture.Set) throws {
    let wal = try Damaged(set)
    let record = wal.recordInsideAPage
    try Scratch.patch(wal.file(of: record.lsn)) { $0[wal.offset(of: record.lsn) + 8] ^= 0x08 }
    let report = try wal.verify()
    #expect(report.problems.map(\.kind) == [.invalidRecord])
    #expect(report.problems.first?.location.lsn == record.lsn)
    #expect(report.problems.first?.message.contains("prev-link") == true)
  }

  @Test(arguments: Fixture.plainSets)
  func flippedMagicIsABadPageHeaderAtThatPage(_ set: Fixture.Set) throws {
    let wal = try Damaged(set)
    let page = wal.segmentStart(1).advanced(by: 10 * 8192)!
    try Scratch.patch(wal.file(of: page)) { $0[wal.offset(of: page)] ^= 0xFF }
    let report = try wal.verify()
    #expect(report.problems.map(\.kind) == [.badPageHeader])
    #expect(report.problems.first?.location.lsn == page)
    #expect(report.problems.first?.location.fileOffset == 10 * 8192)
  }

  /// A segment that begins with a record (after an XLOG SWITCH) whose first page gains the
  /// contrecord flag, one bit no CRC covers: PostgreSQL stops there ("contrecord is requested").
  @Test(arguments: Fixture.versionSets.filter { $0.timeline == TimelineID(1) })
  func contrecordFlagWithNothingToContinueIsABrokenContinuation(_ set: Fixture.Set) throws {
    let scratch = try Scratch()
    let paths = try scratch.copy(set.segmentPaths.filter { URL(fileURLWithPath: $0).lastPathComponent.hasPrefix("00000001") })
    let freshStarts = try paths.dropFirst().filter { try Scratch.bytes($0)[2] & 0x01 == 0 }
    let path = try #require(freshStarts.first)
    try Scratch.patch(path) { $0[2] |= 0x01 }
    let report = try Verifier(jobs: 2).verify(paths: [scratch.url.path])
    let name = try #require(SegmentName(fileName: URL(fileURLWithPath: path).lastPathComponent))
    #expect(report.problems.map(\.kind) == [.brokenContinuation], "\(report.problems)")
    #expect(report.problems.first?.location.lsn == LSN(UInt64(name.segmentInLog) << 20))
    #expect(report.problems.first?.location.file == path)
  }

  /// A segment whose pages carry an older timeline than the segment before, entered by a record
  /// that crosses the boundary (another server's segment under this timeline's name): PostgreSQL's
  /// reader stops at its first page ("out-of-sequence timeline ID 1 (after 2)"). Made from
  /// PostgreSQL 15 segments 8 and 9 named on timeline 2, segment 8's page headers saying 2.
  @Test func olderTimelineAfterARecordCrossingIntoItIsOutOfSequence() throws {
    let scratch = try Scratch()
    let paths = Array(Fixture.plainSets[0].segmentPaths[1...2])
    #expect(try Scratch.bytes(paths[1])[2] & 0x01 != 0, "a record of segment 8 must continue into segment 9")
    let renamed = paths.map { scratch.file("00000002" + URL(fileURLWithPath: $0).lastPathComponent.dropFirst(8)) }
    for (path, copy) in zip(paths, renamed) { try FileManager.default.copyItem(atPath: path, toPath: copy) }
    try Scratch.write(Array("1\t0/700000\tno recovery target specified\n".utf8), to: scratch.file("00000002.history"))
    try Scratch.patch(renamed[0]) { bytes in
      for page in stride(from: 0, to: bytes.count, by: 8192) { bytes[page + 4] = 2 }
    }
    let report = try Verifier(jobs: 2).verify(paths: [scratch.path])
    #expect(report.problems.map(\.kind) == [.timelineMismatch], "\(report.problems)")
    #expect(report.problems.first?.location.file == renamed[1])
    #expect(report.problems.first?.location.lsn == LSN(0x900000))
    #expect(report.problems.first?.message.hasPrefix("out-of-sequence timeline ID 1 (after 2)") == true)
  }

  @Test(arguments: Fixture.plainSets)
  func wrongContinuationLengthIsABrokenContinuation(_ set: Fixture.Set) throws {
    let wal = try Damaged(set)
    // The first page in the second segment whose header says it continues a record.
    let path = wal.file(of: wal.segmentStart(1))
    let bytes = try Scratch.bytes(path)
    let pageIndex = try #require((1..<128).first { bytes[$0 * 8192 + 2] & 0x01 != 0 })
    try Scratch.patch(path) { $0[pageIndex * 8192 + 16] ^= 0x01 }
    let report = try wal.verify()
    #expect(report.problems.map(\.kind) == [.brokenContinuation])
    #expect(report.problems.first?.location.lsn == wal.segmentStart(1).advanced(by: UInt64(pageIndex * 8192)))
  }

  /// An older segment under a later name, with a record of the segment before crossing into it:
  /// valid WAL ends where that record starts (the last pg_waldump lists before the boundary; a
  /// standby's replay stops there), and the segment named as going on is the next one.
  @Test(arguments: Fixture.plainSets)
  func olderSegmentUnderALaterNameSaysWhereValidWALEndsAndWhatGoesOn(_ set: Fixture.Set) throws {
    let wal = try Damaged(set)
    let listed = WaldumpRecord.parse(try Fixture.text(set.listing))
    func crossesInto(_ index: Int) -> Bool {
      let start = wal.segmentStart(index)
      guard let last = listed.last(where: { $0.lsn < start }) else { return false }
      return last.lsn.rawValue + UInt64(last.totalLength) > start.rawValue
    }
    let crossed = try #require((1..<(wal.segments.count - 1)).first(where: crossesInto))
    let crossing = try #require(listed.last { $0.lsn < wal.segmentStart(crossed) })
    try FileManager.default.removeItem(atPath: wal.segments[crossed])
    try FileManager.default.copyItem(atPath: wal.segments[crossed - 1], toPath: wal.segments[crossed])
    let report = try wal.verify()
    #expect(report.problems.map(\.kind) == [.wrongPageAddress])
    let next = URL(fileURLWithPath: wal.segments[crossed + 1]).lastPathComponent
    #expect(report.problems.first?.message.hasPrefix("valid WAL ends at \(crossing.lsn), but \(next) continues timeline 1: ") == true,
            "\(report.problems)")
  }

  @Test(arguments: Fixture.plainSets)
  func otherSystemIdentifierIsReported(_ set: Fixture.Set) throws {
    let wal = try Damaged(set)
    let path = wal.segments[2]
    try Scratch.patch(path) { $0[24] ^= 0x01 }
    let report = try wal.verify()
    #expect(report.problems.map(\.kind) == [.systemIDMismatch])
    #expect(report.problems.first?.location.file == path)
  }

  @Test func segmentFromAnotherClusterAndVersionIsReported() throws {
    let wal = try Damaged(Fixture.plainSets[0])  // PostgreSQL 15
    let foreign = Fixture.plainSets[1].segmentPaths[1]  // a PostgreSQL 16 segment
    let victim = wal.segments[1]
    let victimName = SegmentName(fileName: URL(fileURLWithPath: victim).lastPathComponent)!
    try FileManager.default.removeItem(atPath: victim)
    try Scratch.write(try Scratch.bytes(foreign), to: victim)
    let report = try wal.verify()
    #expect(report.problems.contains { $0.kind == .systemIDMismatch && $0.location.file == victim }
      || report.problems.contains { $0.kind == .wrongPageAddress && $0.location.segment == victimName },
      "\(report.problems)")
    #expect(!report.isClean)
  }

  @Test(arguments: Fixture.plainSets)
  func olderSegmentUnderALaterNameIsAWrongPageAddress(_ set: Fixture.Set) throws {
    let wal = try Damaged(set)
    try FileManager.default.removeItem(atPath: wal.segments[2])
    try FileManager.default.copyItem(atPath: wal.segments[0], toPath: wal.segments[2])
    let report = try wal.verify()
    let problem = try #require(report.problems.first { $0.kind == .wrongPageAddress })
    #expect(problem.location.file == wal.segments[2])
    #expect(problem.location.lsn == wal.segmentStart(2))
    #expect(report.problems.allSatisfy { $0.kind == .wrongPageAddress || $0.kind == .brokenContinuation })
  }

  @Test(arguments: Fixture.plainSets, [512 * 1024, 512 * 1024 + 1000] as [UInt64])
  func truncatedSegmentIsReportedAtItsEnd(_ set: Fixture.Set, _ length: UInt64) throws {
    let wal = try Damaged(set)
    let path = wal.segments[1]
    try Scratch.patch(path) { $0.removeSubrange(Int(length)...) }
    let report = try wal.verify()
    #expect(report.problems.map(\.kind) == [.truncatedFile])
    #expect(report.problems.first?.location.fileOffset == length)
    #expect(report.problems.first?.location.lsn == wal.segmentStart(1).advanced(by: length))
    #expect(report.segments[1].status == .damaged)
    #expect(report.segments[1].scan.validThrough! <= wal.segmentStart(1).advanced(by: length)!)
  }

  @Test(arguments: Fixture.plainSets)
  func zeroedTailFromARecordIsAnIncompleteSegment(_ set: Fixture.Set) throws {
    let wal = try Damaged(set)
    let record = wal.recordInsideAPage
    try Scratch.patch(wal.file(of: record.lsn)) { bytes in
      for index in wal.offset(of: record.lsn)..<bytes.count { bytes[index] = 0 }
    }
    let report = try wal.verify()
    #expect(report.problems.map(\.kind) == [.incompleteSegment])
    #expect(report.problems.first?.location.lsn == record.lsn)
    #expect(report.segments[1].scan.validThrough == record.lsn)
  }

  @Test(arguments: Fixture.plainSets)
  func zeroedTailInsideARecordIsACRCMismatch(_ set: Fixture.Set) throws {
    let wal = try Damaged(set)
    let record = wal.recordInsideAPage
    try Scratch.patch(wal.file(of: record.lsn)) { bytes in
      for index in (wal.offset(of: record.lsn) + 28)..<bytes.count { bytes[index] = 0 }
    }
    let report = try wal.verify()
    #expect(report.problems.map(\.kind) == [.crcMismatch])
    #expect(report.problems.first?.location.lsn == record.lsn)
  }

  @Test(arguments: Fixture.plainSets)
  func removedSegmentIsMissing(_ set: Fixture.Set) throws {
    let wal = try Damaged(set)
    try FileManager.default.removeItem(atPath: wal.segments[1])
    let report = try wal.verify()
    #expect(report.problems.map(\.kind) == [.missingSegment])
    #expect(report.problems.first?.location.segment?.description == URL(fileURLWithPath: wal.segments[1]).lastPathComponent)
    #expect(report.problems.first?.location.lsn == wal.segmentStart(1))
  }

  @Test func twoRemovedSegmentsAreOneRange() throws {
    let wal = try Damaged(Fixture.plainSets[1])
    try FileManager.default.removeItem(atPath: wal.segments[1])
    try FileManager.default.removeItem(atPath: wal.segments[2])
    let report = try wal.verify()
    #expect(report.problems.map(\.kind) == [.missingSegment])
    #expect(report.problems.first?.message.contains("2 segments, 2 MB") == true)
  }
}
