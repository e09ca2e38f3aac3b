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

  /// A 1 MB segment of PostgreSQL 16 pages at `start`, every page continuing a record of
  /// almost 4 GB (`xlp_rem_len`), so that reading it steps towards the end of the LSN space.
  static func continuationSegment(at start: UInt64) -> [UInt8] {
    let segmentSize = 1 << 20, pageSize = 8192
    var bytes = [UInt8](repeating: 0, count: segmentSize)
    var remaining: UInt32 = 0xFFFF_FFF0
    func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
      withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<offset + MemoryLayout<T>.size, with: $0) }
    }
    for page in stride(from: 0, to: segmentSize, by: pageSize) {
      put(UInt16(0xD113), at: page)
      put(UInt16(page == 0 ? 0x0003 : 0x0001), at: page + 2)
      put(UInt32(1), at: page + 4)
      put(start + UInt64(page), at: page + 8)
      put(remaining, at: page + 16)
      if page == 0 {
        put(UInt64(7_712_518_286_014_645_485), at: 24)
        put(UInt32(segmentSize), at: 32)
        put(UInt32(pageSize), at: 36)
      }
      remaining -= UInt32(pageSize - (page == 0 ? 40 : 24))
    }
    return bytes
  }

  /// A segment forged into the last segment of the 64-bit LSN space, by its name or by its page
  /// addresses alone: reading it would step past UInt64.max. It is reported, not read (a trap
  /// before). The last segment walkit reads, 8 GB lower, reads to its end without a trap.
  @Test func aSegmentAtTheEndOfTheLSNSpaceIsReportedNotRead() throws {
    let scratch = try Scratch()
    let top = UInt64.max - (1 << 20) + 1
    let named = scratch.file("00000001FFFFFFFF00000FFF"), unnamed = scratch.file("forged.wal")
    for path in [named, unnamed] { try Scratch.write(Self.continuationSegment(at: top), to: path) }
    for jobs in [1, 2] {
      for path in [named, unnamed] {
        let report = try Verifier(jobs: jobs).verify(paths: [path])
        #expect(report.problems.map(\.kind) == [.wrongPageAddress])
        #expect(report.problems.first?.message.hasPrefix("segment at FFFFFFFF/FFF00000 reaches into the last 8 GB of the 64-bit LSN space") == true)
      }
    }
    for damage in [WALStream.DamageHandling.stop, .nextSegment, .resynchronize] {
      _ = try WALStream(paths: [named, unnamed]).forEachRecord(in: nil, afterDamage: damage) { _ in true }
    }

    let lastReadable = UInt64.max - (1 << 20) - WALGeometry.unreadableTail + 1
    let near = scratch.file("near.wal")
    try Scratch.write(Self.continuationSegment(at: lastReadable), to: near)
    for jobs in [1, 2] {
      let report = try Verifier(jobs: jobs).verify(paths: [near])
      #expect(!report.problems.contains { $0.kind == .wrongPageAddress })
      #expect(report.segments.first?.scan.continuedBytes == 0xFFFF_FFF0)
    }
    for damage in [WALStream.DamageHandling.stop, .nextSegment, .resynchronize] {
      _ = try WALStream(paths: [near]).forEachRecord(in: nil, afterDamage: damage) { _ in true }
    }
  }

  /// A backup label whose start is no record boundary (not 8-byte aligned, or inside a page
  /// header): replay cannot start there, and the record header is not read across the segment's
  /// end (it was: 3 bytes past the buffer for a start 1 byte before the end).
  @Test func aStartThatIsNoRecordBoundaryStopsReplayThere() throws {
    let archive = Fixture.plainSets[1].archiveURL.path
    for start in ["0/7FFFFF", "0/7FE001", "0/700029"] {
      let label = try BackupLabel(text: "START WAL LOCATION: \(start) (file 000000010000000000000007)\nSTART TIMELINE: 1\n")
      let report = try GapAnalysis(sources: [archive], start: .backup(label, origin: "test")).run()
      #expect(!report.continuous)
      #expect(report.reachableLSN == LSN(start))
      #expect(report.blockingProblem?.message == "invalid record offset at \(start): no record starts there (records start at 8-byte boundaries past a page header)")
    }
  }
}
