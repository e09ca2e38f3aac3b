import Foundation
import Testing
@testable import WALKit
@testable import WALReader

#if canImport(Glibc)
import Glibc
#endif

/// A copy of a live PostgreSQL 15 `pg_wal` under pgbench (TestData/pg15-live): the segment in
/// progress, then files PostgreSQL recycled ahead of the insert point. Where WAL ends is what
/// pg_waldump 15 says (`invalid record length at X`), and the server's insert LSN was X.
@Suite struct LiveWALTests {
  static let pgWAL = Fixture.path("pg15-live/pg_wal")
  static let archive = Fixture.path("pg15-live/archive")

  static func facts() throws -> [String: String] {
    let text = try Fixture.text("pg15-live/live-lsns")
    return Dictionary(uniqueKeysWithValues: text.split(separator: "\n").map {
      let parts = $0.split(separator: "=", maxSplits: 1)
      return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
    })
  }

  /// Where pg_waldump found the end of WAL.
  static func pgWaldumpEnd() throws -> LSN {
    let stderr = try Fixture.text("pg15-live/pg_wal-waldump.stderr")
    let word = try #require(stderr.split(separator: " ").drop { $0 != "length" }.dropFirst(2).first)
    return try #require(LSN(String(word.dropLast())))
  }

  @Test func endOfWALIsTheServersInsertPoint() throws {
    let facts = try Self.facts()
    #expect(try Self.pgWaldumpEnd() == LSN(facts["insert_lsn"] ?? ""))
  }

  @Test func verifyCallsTheInProgressAndRecycledFilesWhatTheyAre() throws {
    let facts = try Self.facts()
    let report = try Verifier(jobs: 2).verify(paths: [Self.pgWAL])
    #expect(report.isClean, "\(report.problems)")
    let inProgress = report.segments.filter { $0.status == .inProgress }
    #expect(inProgress.map { $0.name?.description } == [facts["insert_segment"]])
    #expect(inProgress.first?.scan.validThrough == (try Self.pgWaldumpEnd()))
    let recycled = report.segments.filter { $0.status == .recycled }.compactMap { $0.name?.description }
    #expect(recycled == facts["recycled"]?.split(separator: " ").map(String.init))
    let expected = WaldumpRecord.parse(try Fixture.text("pg15-live/pg_wal-waldump.txt.gz"))
    #expect(report.segments.reduce(0) { $0 + $1.scan.recordCount } == expected.count)
  }

  @Test func streamReadsThePgWaldumpRecords() throws {
    let expected = WaldumpRecord.parse(try Fixture.text("pg15-live/pg_wal-waldump.txt.gz"))
    var found: [WaldumpRecord] = []
    let report = try WALStream(paths: [Self.pgWAL]).forEachRecord { found.append(WaldumpRecord($0)) }
    #expect(report.isClean, "\(report.problems)")
    #expect(found == expected)
  }

  /// The end of WAL of a live `pg_wal` is no gap: a standby can replay to it.
  @Test(arguments: [false, true])
  func gapsReachTheLiveEndOfWAL(fromBackup: Bool) throws {
    let facts = try Self.facts()
    let end = try Self.pgWaldumpEnd()
    let analysis = fromBackup
      ? GapAnalysis(sources: [Self.archive, Self.pgWAL],
                    start: .backup(try WALCatalog.backupLabel(at: Fixture.path("pg15-live/backup_label")), origin: "backup_label"))
      : GapAnalysis(sources: [Self.pgWAL])
    let report = try analysis.run()
    #expect(report.continuous, "\(report.problems)")
    #expect(report.problems.isEmpty, "\(report.problems)")
    #expect(report.reachableLSN == end)
    #expect(report.endOfWAL == end)
    if fromBackup { #expect(report.reachesConsistency == true) }
    let recycled = report.path.filter { $0.status == .recycled }.map(\.step.name.description)
    #expect(recycled == facts["recycled"]?.split(separator: " ").map(String.init))
  }

  /// A backup whose end lies past the live end of WAL (STOP WAL LOCATION made up, 64 kB past
  /// pg_waldump's end): nothing is missing, but replay never reaches the backup's end, so the
  /// server never becomes consistent ("WAL ends before end of online backup").
  @Test func aBackupEndingPastTheLiveEndOfWALNeverBecomesConsistent() throws {
    let end = try Self.pgWaldumpEnd()
    let stop = try #require(end.advanced(by: 65_536))
    let label = try BackupLabel(text: """
      START WAL LOCATION: 0/1300028 (file 000000010000000000000013)
      STOP WAL LOCATION: \(stop) (file 000000010000000000000016)
      START TIMELINE: 1
      """)
    let report = try GapAnalysis(sources: [Self.archive, Self.pgWAL], start: .backup(label, origin: "test")).run()
    #expect(!report.continuous)
    #expect(report.blockingProblem?.kind == .consistencyNotReached)
    #expect(report.blockingProblem?.location.lsn == end)
    #expect(report.reachableLSN == end)
    #expect(report.reachesConsistency == false)
    #expect(report.missingRanges.isEmpty)
  }

  /// A file past the end of WAL holding a later segment's pages, as PostgreSQL leaves one when it
  /// renames an old timeline's segments for reuse at a promotion or the end of recovery (in
  /// directory order, so a later segment may get an earlier name): PostgreSQL's reader finds
  /// "unexpected pageaddr" there and WAL ends, as with an older segment's pages. Made by
  /// giving one recycled file's pages the addresses of segment 0x1C.
  @Test func aRecycledFileWithALaterSegmentsPagesIsRecycled() throws {
    let scratch = try Scratch()
    let copies = try scratch.copy(try FileManager.default.contentsOfDirectory(atPath: Self.pgWAL).sorted()
      .filter { !$0.hasPrefix("archive_status") }.map { Self.pgWAL + "/" + $0 }, into: "pg_wal")
    try FileManager.default.createDirectory(atPath: scratch.file("pg_wal/archive_status"), withIntermediateDirectories: true)
    let recycledName = try #require(try Self.facts()["recycled"]?.split(separator: " ").first.map(String.init))
    let recycled = try #require(copies.first { $0.hasSuffix(recycledName) })
    try Scratch.patch(recycled) { bytes in
      for page in stride(from: 0, to: bytes.count, by: 8192) {
        withUnsafeBytes(of: (UInt64(0x1C0_0000) + UInt64(page)).littleEndian) { bytes.replaceSubrange(page + 8..<page + 16, with: $0) }
      }
    }
    let report = try Verifier(jobs: 2).verify(paths: [scratch.file("pg_wal")])
    #expect(report.isClean, "\(report.problems)")
    #expect(report.segments.first { $0.name?.description == recycledName }?.status == .recycled)
    let gaps = try GapAnalysis(sources: [scratch.file("pg_wal")]).run()
    #expect(gaps.continuous, "\(gaps.problems)")
    #expect(gaps.reachableLSN == (try Self.pgWaldumpEnd()))
  }

  /// A busy server removes and recycles its oldest segments while walkit reads pg_wal (seen in
  /// runs of verify beside pgbench: "cannot open: No such file or directory"): a file gone when
  /// it came to be read is left out with a note, and where only such files are missing there
  /// is no gap (in an archive there is).
  @Test func aFileRemovedAfterItWasListedIsLeftOutWithANote() throws {
    let scratch = try Scratch()
    let copies = try scratch.copy(try FileManager.default.contentsOfDirectory(atPath: Self.pgWAL).sorted()
      .filter { !$0.hasPrefix("archive_status") }.map { Self.pgWAL + "/" + $0 }, into: "pg_wal")
    try FileManager.default.createDirectory(atPath: scratch.file("pg_wal/archive_status"), withIntermediateDirectories: true)
    let segments = copies.filter { WALFile.classify(fileName: URL(fileURLWithPath: $0).lastPathComponent) != .other && !$0.hasSuffix(".backup") }
    let inputs = try WALInputs(paths: [scratch.file("pg_wal")])
    try FileManager.default.removeItem(atPath: segments[0])
    let report = Verifier(jobs: 2).verify(inputs)
    #expect(report.isClean, "\(report.problems)")
    #expect(report.problems.map(\.kind) == [.removedWhileRead])
    #expect(report.problems.first?.location.file == segments[0])
    #expect(report.segments.count == segments.count - 1)

    try FileManager.default.removeItem(atPath: segments[2])
    let two = Verifier(jobs: 2).verify(inputs)
    #expect(two.isClean, "\(two.problems)")
    #expect(two.problems.map(\.kind) == [.removedWhileRead])
    #expect(two.problems.first?.message.hasPrefix("2 files, ") == true)

    let archive = try Scratch()
    let archived = try archive.copy(Fixture.plainSets[0].segmentPaths)
    let archiveInputs = try WALInputs(paths: [archive.path])
    try FileManager.default.removeItem(atPath: archived[1])
    let gap = Verifier(jobs: 2).verify(archiveInputs)
    #expect(Set(gap.problems.map(\.kind)) == [.removedWhileRead, .missingSegment], "\(gap.problems)")
  }

  /// The segment in progress, read before the server finished it and went on in the next one,
  /// which was read after: its WAL stops early although the next one holds WAL (seen in runs of
  /// verify beside pgbench). It is read again. Here the server's writing is played by the
  /// progress callback, between the two files' readings (PostgreSQL 15 segments 7 to 9).
  @Test func aSegmentFinishedWhileReadIsReadAgain() throws {
    let scratch = try Scratch()
    let originals = Array(Fixture.plainSets[0].segmentPaths.prefix(3))
    let copies = try scratch.copy(originals, into: "pg_wal")
    try FileManager.default.createDirectory(atPath: scratch.file("pg_wal/archive_status"), withIntermediateDirectories: true)
    // Written up to page 37 (the server writes whole pages), the rest still zeros.
    try Scratch.patch(copies[1]) { $0.replaceSubrange((37 * 8192)..., with: repeatElement(0, count: $0.count - 37 * 8192)) }
    try Scratch.patch(copies[2]) { $0 = [UInt8](repeating: 0, count: $0.count) }
    let inputs = try WALInputs(paths: [scratch.file("pg_wal")])
    let finish: @Sendable (Int, Int) -> Void = { done, _ in
      guard done == 2 else { return }
      for (original, copy) in zip(originals, copies).dropFirst() { try? FileManager.default.removeItem(atPath: copy); try? FileManager.default.copyItem(atPath: original, toPath: copy) }
    }
    let report = Verifier(jobs: 1, progress: finish).verify(inputs)
    #expect(report.isClean, "\(report.problems)")
    #expect(report.segments.map(\.status) == [.complete, .complete, .complete])
  }

  /// A record the server was writing while verify read it reads torn (its CRC wrong): the
  /// segment is read again, and by then the record is whole (here the progress callback
  /// finishes the server's write once every file was read). Damage that stays is reported.
  @Test(arguments: [true, false])
  func aRecordReadTornWhileWrittenIsReadAgain(_ writeFinishes: Bool) throws {
    let scratch = try Scratch()
    let originals = Array(Fixture.plainSets[0].segmentPaths.prefix(3))
    let copies = try scratch.copy(originals, into: "pg_wal")
    try FileManager.default.createDirectory(atPath: scratch.file("pg_wal/archive_status"), withIntermediateDirectories: true)
    try Scratch.patch(copies[2]) { $0[37 * 8192 + 500] ^= 0xFF }
    let inputs = try WALInputs(paths: [scratch.file("pg_wal")])
    let finish: @Sendable (Int, Int) -> Void = { done, total in
      guard writeFinishes, done == total else { return }
      try? FileManager.default.removeItem(atPath: copies[2])
      try? FileManager.default.copyItem(atPath: originals[2], toPath: copies[2])
    }
    let report = Verifier(jobs: 1, progress: finish).verify(inputs)
    let whole = try Verifier(jobs: 1).verify(paths: originals)
    if writeFinishes {
      #expect(report.isClean, "\(report.problems)")
      #expect(report.recordCount == whole.recordCount)
    } else {
      #expect(report.problems.filter { $0.severity == .problem }.map(\.kind) == [.crcMismatch], "\(report.problems)")
    }
  }

  /// verify of the pg_wal of a PostgreSQL 15 primary under pgbench, again and again while the
  /// server writes, removes and recycles segments (Tests/EndToEnd/busy-primary.sh): nothing is
  /// wrong with it, and nothing may be reported.
  @Test(.enabled(if: StandbyEndToEndTests.canRunServers, "needs PostgreSQL 15 (Debian postgresql-15), root and the postgres user"),
        .timeLimit(.minutes(3)))
  func aBusyPrimarysPgWalVerifiesClean() throws {
    let scratch = try Scratch()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [Fixture.root.appendingPathComponent("Tests/EndToEnd/busy-primary.sh").path, scratch.path, "15"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    defer { if process.isRunning { process.terminate() } }
    var runs = 0
    var found: [String] = []
    let deadline = Date().addingTimeInterval(120)
    while !FileManager.default.fileExists(atPath: scratch.file("done")) && process.isRunning && Date() < deadline {
      guard let pgWAL = try? String(contentsOfFile: scratch.file("pg_wal-path"), encoding: .utf8) else {
        usleep(100_000)
        continue
      }
      let report: VerificationReport = try Verifier(jobs: 2).verify(paths: [pgWAL.strippingWhitespace(newlines: true)])
      runs += 1
      found += report.problems.filter { $0.severity == .problem }.map { $0.description }
    }
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    #expect(runs >= 3, "verify ran \(runs) times under load")
    #expect(found.isEmpty, "\(found.prefix(5))")
  }
}
