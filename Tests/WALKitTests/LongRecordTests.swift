import Foundation
import Testing
@testable import WALKit

/// Records longer than a segment (TestData/pg15-long): a 3.5 MB logical message on 1 MiB
/// segments and a 40 MB one on 16 MiB segments, so that whole segments hold nothing but the
/// middle of one record. pg_waldump 15 reads them without complaint; so must every reader here.
@Suite struct LongRecordTests {
  static let sets = ["pg15-long/1mb", "pg15-long/16mb"]

  /// The set's segments unpacked into a scratch directory, as they lie in an archive.
  static func plainCopy(_ set: String) throws -> Scratch {
    let scratch = try Scratch()
    let archive = Fixture.path("\(set)/archive")
    for name in try FileManager.default.contentsOfDirectory(atPath: archive).sorted() {
      let data = try Fixture.run("/bin/gzip", ["-dc", "\(archive)/\(name)"])
      try data.write(to: URL(fileURLWithPath: scratch.file(String(name.dropLast(3)))))
    }
    return scratch
  }

  static func expected(_ set: String) throws -> [WaldumpRecord] {
    WaldumpRecord.parse(try Fixture.text("\(set)/waldump.txt"))
  }

  @Test(arguments: sets)
  func streamReadsEveryRecordPgWaldumpRead(_ set: String) throws {
    let expected = try Self.expected(set)
    #expect(try Fixture.text("\(set)/waldump.stderr").isEmpty)
    #expect(expected.contains { $0.rmgr == "LogicalMessage" && $0.totalLength > 3_000_000 })
    let plain = try Self.plainCopy(set)
    for directory in [Fixture.path("\(set)/archive"), plain.path] {
      var found: [WaldumpRecord] = []
      let report = try WALStream(paths: [directory]).forEachRecord { found.append(WaldumpRecord($0)) }
      #expect(report.isClean, "\(directory): \(report.problems)")
      #expect(found == expected)
    }
  }

  @Test(arguments: sets, [1, 2])
  func verifierFindsNoProblemOnOneOrTwoWorkers(_ set: String, jobs: Int) throws {
    let expected = try Self.expected(set)
    let plain = try Self.plainCopy(set)
    for directory in [Fixture.path("\(set)/archive"), plain.path] {
      let report = try Verifier(jobs: jobs).verify(paths: [directory])
      #expect(report.isClean, "\(directory): \(report.problems)")
      #expect(report.segments.reduce(0) { $0 + $1.scan.recordCount } == expected.count)
      #expect(report.segments.filter { $0.scan.recordCount == 0 }.allSatisfy { $0.status == .complete })
      #expect(report.segments.last?.status == .switched)
    }
  }

  /// Without the segment the record starts in, the segments that hold only its middle still
  /// join up, and each one alone is whole.
  @Test func segmentsOfOnlyContinuationJoinWithoutTheRecordStart() throws {
    let plain = try Self.plainCopy("pg15-long/1mb")
    let names = try FileManager.default.contentsOfDirectory(atPath: plain.path).sorted()
    try FileManager.default.removeItem(atPath: plain.file(names[0]))
    let report = try Verifier(jobs: 2).verify(paths: [plain.path])
    #expect(report.isClean, "\(report.problems)")
    #expect(report.segments.map(\.scan.recordCount) == [0, 0, 3])
    for name in names.dropFirst() {
      let alone = try Verifier().verify(paths: [plain.file(name)])
      #expect(alone.isClean, "\(name): \(alone.problems)")
    }
  }

  /// A segment of only continuation whose next segment does not continue the record.
  @Test func nextSegmentWithoutTheContinuationIsBroken() throws {
    let plain = try Self.plainCopy("pg15-long/1mb")
    let names = try FileManager.default.contentsOfDirectory(atPath: plain.path).sorted()
    // Clear XLP_FIRST_IS_CONTRECORD on the third segment's first page.
    try Scratch.patch(plain.file(names[2])) { $0[2] &= ~0x01 }
    try FileManager.default.removeItem(atPath: plain.file(names[0]))
    let report = try Verifier().verify(paths: [plain.path])
    let problem = try #require(report.problems.first { $0.kind == .brokenContinuation })
    #expect(problem.location.segment?.description == names[2])
    #expect(problem.message.contains("no contrecord flag"))
  }

  @Test(arguments: sets)
  func gapsAndDiffSeeOneContinuousStream(_ set: String) throws {
    let expected = try Self.expected(set)
    let plain = try Self.plainCopy(set)
    let gaps = try GapAnalysis(sources: [plain.path]).run()
    #expect(gaps.continuous, "\(gaps.problems)")
    let last = try #require(expected.last)
    #expect(gaps.reachableLSN.rawValue > last.lsn.rawValue)
    let diff = try WALComparison(a: plain.path, b: Fixture.path("\(set)/archive")).run()
    #expect(diff.isSameWAL)
  }

  /// Without a segment the long record continues into, replay stops at the record's start (the
  /// end of the record before it): PostgreSQL cannot replay a record it cannot read whole. A
  /// real PostgreSQL 17 standby stopped there in each case (pg_last_wal_replay_lsn() at the
  /// start of a 5 MB logical message, whether a middle segment or the last one was missing).
  @Test func replayStopsAtTheStartOfARecordMissingASegment() throws {
    let long = try #require(try Self.expected("pg15-long/1mb").first { $0.totalLength > 3_000_000 })
    let whole = try Self.plainCopy("pg15-long/1mb")
    let names = try FileManager.default.contentsOfDirectory(atPath: whole.path).sorted()
    #expect(names.count == 4)
    for missing in names.dropFirst() {
      let plain = try Self.plainCopy("pg15-long/1mb")
      try FileManager.default.removeItem(atPath: plain.file(missing))
      let gaps = try GapAnalysis(sources: [plain.path]).run()
      #expect(gaps.reachableLSN == long.lsn, "without \(missing)")
      if missing == names.last {
        #expect(gaps.continuous, "the archive ends inside the record: \(gaps.problems)")
        #expect(gaps.endOfWAL == long.lsn)
      } else {
        #expect(!gaps.continuous)
        #expect(gaps.blockingProblem?.kind == .missingSegment)
        #expect(gaps.blockingProblem?.location.segment?.description == missing)
      }
    }
  }

  /// Two 16 MB segments of another cluster, named below a 1 MB archive's, do not make gaps
  /// read the archive with 16 MB arithmetic: the segment a start names, or most segments, give
  /// the size (a real standby replayed through such an archive).
  @Test func strayLargerSegmentsDoNotSetTheSegmentSize() throws {
    let plain = try Self.plainCopy("pg15-long/1mb")
    let first = try #require(try FileManager.default.contentsOfDirectory(atPath: plain.path).sorted().first.flatMap(SegmentName.init(fileName:)))
    let clean = try GapAnalysis(sources: [plain.path], start: .segment(first)).run()
    #expect(clean.continuous)
    for name in try FileManager.default.contentsOfDirectory(atPath: Fixture.path("pg15-16mb/archive")) {
      let data = try Fixture.run("/bin/gzip", ["-dc", Fixture.path("pg15-16mb/archive/\(name)")])
      try data.write(to: URL(fileURLWithPath: plain.file(String(name.dropLast(3)))))
    }
    for start in [GapAnalysis.StartPoint.segment(first), .lsn(clean.start.lsn, timeline: first.timeline)] {
      let report = try GapAnalysis(sources: [plain.path], start: start).run()
      #expect(report.continuous, "\(report.problems)")
      #expect(report.start.lsn == clean.start.lsn)
      #expect(report.reachableLSN == clean.reachableLSN)
    }

    // One named as the segment after the archive's last: a real PostgreSQL 16 standby stopped
    // with "FATAL: archive file … has wrong size: 16777216 instead of 1048576" there.
    let next = SegmentName(timeline: first.timeline, segment: SegmentNumber(clean.reachableLSN.rawValue >> 20), geometry: WALGeometry(segmentSize: 1 << 20, pageSize: 8192)!)!
    let stray = try #require(try FileManager.default.contentsOfDirectory(atPath: plain.path).sorted().first)
    try FileManager.default.moveItem(atPath: plain.file(stray), toPath: plain.file(next.description))
    let report = try GapAnalysis(sources: [plain.path], start: .segment(first)).run()
    #expect(!report.continuous)
    #expect(report.reachableLSN == clean.reachableLSN)
    #expect(report.blockingProblem?.kind == .segmentSizeMismatch)
    #expect(report.blockingProblem?.message.hasSuffix(
      "PostgreSQL stops recovery there with FATAL: archive file \"\(next)\" has wrong size: 16777216 instead of 1048576") == true)
    #expect(report.endOfWAL == clean.reachableLSN)
  }

  /// A byte flipped in a segment holding only the middle of the long record: the record's
  /// checksum fails at its start, as pg_waldump 15 says ("incorrect resource manager data
  /// checksum in record at" its start); the message names every segment the damage may be in,
  /// and the segment after the record is not blamed for a prev-link to it.
  @Test func damageInsideALongRecordNamesTheSegmentsItSpans() throws {
    let long = try #require(try Self.expected("pg15-long/1mb").first { $0.totalLength > 3_000_000 })
    let plain = try Self.plainCopy("pg15-long/1mb")
    let names = try FileManager.default.contentsOfDirectory(atPath: plain.path).sorted()
    try Scratch.patch(plain.file(names[1])) { $0[500_000] ^= 0x01 }
    let report = try Verifier().verify(paths: [plain.path])
    #expect(report.problems.map(\.kind) == [.crcMismatch])
    let problem = try #require(report.problems.first)
    #expect(problem.location.lsn == long.lsn)
    #expect(problem.message.hasPrefix("incorrect resource manager data checksum in record at \(long.lsn)"))
    #expect(problem.message.hasSuffix("; the record (\(long.totalLength) bytes) runs from \(names[0]) to \(names[3]): a damaged byte in any of them gives this"))
    let gaps = try GapAnalysis(sources: [plain.path]).run()
    #expect(gaps.reachableLSN == long.lsn)
    #expect(gaps.problems.map(\.kind) == [.crcMismatch])
  }

  /// A page of a middle segment whose contrecord length is off: that segment is damaged, once,
  /// in PostgreSQL's words; the segment the record starts in is not.
  @Test(arguments: [0, 5 * 8192])
  func aWrongContrecordLengthIsTheSegmentsOwnDamage(page: Int) throws {
    let plain = try Self.plainCopy("pg15-long/1mb")
    let names = try FileManager.default.contentsOfDirectory(atPath: plain.path).sorted()
    try Scratch.patch(plain.file(names[1])) { bytes in
      let length = UInt32(bytes[page + 16]) | UInt32(bytes[page + 17]) << 8 | UInt32(bytes[page + 18]) << 16 | UInt32(bytes[page + 19]) << 24
      withUnsafeBytes(of: (length + 8).littleEndian) { bytes.replaceSubrange(page + 16..<page + 20, with: $0) }
    }
    let report = try Verifier().verify(paths: [plain.path])
    #expect(report.problems.map(\.kind) == [.brokenContinuation])
    #expect(report.problems.first?.location.segment?.description == names[1])
    #expect(report.problems.first?.message.contains("invalid contrecord length") == true)
    #expect(report.problems.first?.location.file == plain.file(names[1]))
    #expect(report.segments.filter { $0.status == .damaged }.map { $0.name?.description } == [names[1]])
    if page == 0 {
      // Found following the record from its start: named there, as pg_waldump 16 names it.
      let long = try #require(try Self.expected("pg15-long/1mb").first { $0.totalLength > 3_000_000 })
      #expect(report.problems.first?.message.contains("at \(long.lsn) (in the page at 0/800000)") == true)
    }
  }

  /// An archive whose last segment turns to zeros inside the long record (pg_waldump 15 ends
  /// its listing at the record before it): one incomplete segment, that one, whose valid WAL
  /// ends where the unfinished record starts; the segment the record starts in is not blamed.
  @Test func zerosInsideALongRecordAreTheLastSegmentsProblemOnce() throws {
    let long = try #require(try Self.expected("pg15-long/1mb").first { $0.totalLength > 3_000_000 })
    let plain = try Self.plainCopy("pg15-long/1mb")
    let names = try FileManager.default.contentsOfDirectory(atPath: plain.path).sorted()
    try Scratch.patch(plain.file(names[1])) { bytes in
      for offset in (1 << 19)..<bytes.count { bytes[offset] = 0 }
    }
    for name in names.dropFirst(2) { try FileManager.default.removeItem(atPath: plain.file(name)) }
    let report = try Verifier().verify(paths: [plain.path])
    #expect(report.problems.map(\.kind) == [.incompleteSegment])
    let problem = try #require(report.problems.first)
    #expect(problem.location.file == plain.file(names[1]))
    #expect(problem.location.fileOffset == 1 << 19)
    #expect(problem.message.hasPrefix("valid WAL ends at \(long.lsn), the start of a record this segment does not complete"), "\(problem.message)")
    #expect(report.segments.map(\.status) == [.complete, .damaged])
    #expect(report.segments.first?.scan.validThrough == long.lsn)
  }
}
