import Foundation
import Testing
@testable import WALKit
import WALIO

#if canImport(Glibc)
import Glibc
#endif

/// What a directory holds besides clean segments: a live pg_wal's tail, files that are not WAL,
/// and entries that must not be opened.
@Suite(.timeLimit(.minutes(10))) struct DirectoryTests {
  static let pg16 = Fixture.plainSets[1]

  /// A pg_wal: the last segment in progress, then a recycled file and a zero-filled one.
  @Test func liveDirectoryTailIsNotDamage() throws {
    let scratch = try Scratch()
    let paths = Self.pg16.segmentPaths
    let copied = try scratch.copy(Array(paths.prefix(3)), into: "pg_wal")
    try FileManager.default.createDirectory(atPath: scratch.file("pg_wal/archive_status"), withIntermediateDirectories: true)
    // In progress: the real pg_receivewal file, as the newest segment.
    try FileManager.default.copyItem(atPath: Fixture.path("pg16/partial/00000001000000000000000A.partial"),
                                     toPath: scratch.file("pg_wal/00000001000000000000000A"))
    // Segment 9 is missing in a live directory that went on to A: that stays a problem, so use
    // the real 9 too.
    try scratch.copy([paths[3]], into: "pg_wal")
    // Recycled: an old segment renamed to a future name; never written: zeros.
    try FileManager.default.copyItem(atPath: copied[0], toPath: scratch.file("pg_wal/00000001000000000000000B"))
    try Scratch.write([UInt8](repeating: 0, count: 1 << 20), to: scratch.file("pg_wal/00000001000000000000000C"))

    let report = try Verifier().verify(paths: [scratch.file("pg_wal")])
    #expect(report.isClean, "\(report.problems)")
    #expect(report.segments.map(\.status) == [.complete, .complete, .complete, .switched, .inProgress, .recycled, .unused])
    #expect(report.segments[4].scan.validThrough == LSN(0xA000A0))
    #expect(report.otherFiles.isEmpty)
  }

  @Test func sameTailInAnArchiveIsDamage() throws {
    let scratch = try Scratch()
    try scratch.copy(Self.pg16.segmentPaths, into: "archive")
    try FileManager.default.copyItem(atPath: Fixture.path("pg16/partial/00000001000000000000000A.partial"),
                                     toPath: scratch.file("archive/00000001000000000000000A"))
    let report = try Verifier().verify(paths: [scratch.file("archive")])
    #expect(report.problems.map(\.kind) == [.incompleteSegment])
    #expect(report.problems.first?.location.lsn == LSN(0xA000A0))
  }

  /// A zero-filled file of a size no segment has (a sparse 10 GB file under a segment name):
  /// the message gives its size, so that it is not taken for a pre-allocated segment.
  @Test func aZeroFileOfNoSegmentSizeSaysItsSize() throws {
    let scratch = try Scratch()
    let copied = try scratch.copy(Array(Self.pg16.segmentPaths.prefix(1)), into: "archive")
    let sparse = scratch.file("archive/" + String(URL(fileURLWithPath: copied[0]).lastPathComponent.prefix(16)) + "000000FF")
    FileManager.default.createFile(atPath: sparse, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: sparse))
    try handle.truncate(atOffset: 10 << 30)
    try handle.close()
    let report = try Verifier().verify(paths: [sparse])
    #expect(report.problems.map(\.kind) == [.incompleteSegment])
    #expect(report.problems.first?.message.hasSuffix(
      "first page header is all zeros: the segment was never written (and the file has 10737418240 bytes, 10 GB: no WAL segment has that size)") == true)
    try Scratch.write([UInt8](repeating: 0, count: 1 << 20), to: sparse)
    #expect(try Verifier().verify(paths: [sparse]).problems.first?.message.hasSuffix("the segment was never written") == true)
  }

  @Test func recycledSegmentBeforeLaterWALIsDamage() throws {
    let scratch = try Scratch()
    let copied = try scratch.copy(Self.pg16.segmentPaths, into: "pg_wal")
    try FileManager.default.createDirectory(atPath: scratch.file("pg_wal/archive_status"), withIntermediateDirectories: true)
    try FileManager.default.removeItem(atPath: copied[2])
    try FileManager.default.copyItem(atPath: copied[0], toPath: copied[2])
    let report = try Verifier().verify(paths: [scratch.file("pg_wal")])
    #expect(report.problems.first?.kind == .wrongPageAddress)
    #expect(report.problems.first?.location.file == copied[2])
  }

  /// A directory's entries come in the order of their names' bytes, whatever order the file
  /// system keeps them in: names alike in their first 24 bytes too.
  @Test func entriesComeInTheOrderOfTheirNamesBytes() throws {
    let scratch = try Scratch()
    let names = ["000000010000000000000001", "000000010000000000000001.partial", "00000001000000000000000A",
                 "000000010000000000000001.00000028.backup", "00000002.history", "000000020000000000000001",
                 "000000010000000100000000", "0000000100000000000000011", "archive_status", "Z", "a", "ab", "résumé"]
    try FileManager.default.createDirectory(atPath: scratch.file("listed"), withIntermediateDirectories: true)
    for name in names.shuffled() { try Scratch.write([], to: scratch.file("listed/" + name)) }
    guard case .success(let entries) = Storage.entries(of: scratch.file("listed")) else {
      Issue.record("the directory could not be listed")
      return
    }
    #expect(entries.map(\.name) == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
  }

  @Test func filesThatAreNotSegmentsAreListedNotRead() throws {
    let report = try Verifier().verify(paths: [Fixture.path("pg18-timeline/archive")])
    #expect(report.isClean)
    #expect(report.otherFiles.map { URL(fileURLWithPath: $0).lastPathComponent }.sorted()
      == ["00000001000000000000000C.00000028.backup", "00000002.history"])
    #expect(report.timelines == [TimelineID(1), TimelineID(2)])
  }

  @Test func fifoNamedLikeASegmentIsReportedWithoutBlocking() throws {
    let scratch = try Scratch()
    try scratch.copy(Array(Self.pg16.segmentPaths.prefix(2)), into: "archive")
    #expect(mkfifo(scratch.file("archive/000000010000000000000008"), 0o600) == 0)
    let report = try Verifier().verify(paths: [scratch.file("archive")])
    #expect(report.problems.map(\.kind) == [.unexpectedFile])
    #expect(report.problems.first?.message.contains("FIFO") == true)
  }

  @Test func directoryNamedLikeASegmentIsReported() throws {
    let scratch = try Scratch()
    try scratch.copy(Array(Self.pg16.segmentPaths.prefix(1)), into: "archive")
    try FileManager.default.createDirectory(atPath: scratch.file("archive/000000010000000000000007"), withIntermediateDirectories: true)
    let report = try Verifier().verify(paths: [scratch.file("archive")])
    #expect(report.problems.map(\.kind) == [.unexpectedFile])
  }

  @Test func fileWithAnyNameIsReadByItsFirstPage() throws {
    let scratch = try Scratch()
    let path = scratch.file("copy-of-a-segment.bin")
    try FileManager.default.copyItem(atPath: Self.pg16.segmentPaths[1], toPath: path)
    let report = try Verifier().verify(paths: [path])
    #expect(report.isClean, "\(report.problems)")
    #expect(report.segments.first?.name?.description == "000000010000000000000007")
  }

  @Test func emptyFileIsTruncated() throws {
    let scratch = try Scratch()
    let path = scratch.file("000000010000000000000007")
    try Scratch.write([], to: path)
    let report = try Verifier().verify(paths: [path])
    #expect(report.problems.map(\.kind) == [.truncatedFile])
    #expect(report.problems.first?.message.contains("empty") == true)
  }

  @Test func fileThatIsNotWALIsABadPageHeader() throws {
    let scratch = try Scratch()
    let path = scratch.file("000000010000000000000007")
    try Scratch.write(Array(repeating: 0x41, count: 8192), to: path)
    let report = try Verifier().verify(paths: [path])
    #expect(report.problems.map(\.kind) == [.badPageHeader])
    #expect(report.problems.first?.message.contains("unknown page magic 0x4141") == true)
  }

  @Test func missingPathCannotBeVerified() {
    #expect(throws: WALInputs.Error.self) { try Verifier().verify(paths: ["/nonexistent/walkit"]) }
  }

  @Test func corruptGzipIsUnreadable() throws {
    let scratch = try Scratch()
    let path = scratch.file("000000010000000000000006.gz")
    try Scratch.write(Array(try Scratch.bytes(Fixture.path("pg16/gz/000000010000000000000006.gz")).prefix(5000)), to: path)
    let report = try Verifier().verify(paths: [path])
    #expect(report.problems.map(\.kind) == [.corruptCompressedFile])
    #expect(report.segments.first?.status == .unreadable)
    #expect(report.problems.first?.message.contains("truncated") == true)
    // Beside a readable segment of the set, the segment size is known: the problem is at the
    // corrupt segment's first LSN.
    try scratch.copy([Self.pg16.segmentPaths[1]])
    let inSet = try Verifier().verify(paths: [scratch.path])
    let found = inSet.problems.filter { $0.severity == .problem }
    #expect(found.map(\.kind) == [.corruptCompressedFile])
    #expect(found.first?.location.lsn == LSN(0x600000))
    // One gzip and one plain segment: stored in two ways.
    #expect(inSet.problems.filter { $0.severity == .note }.map(\.kind) == [.mixedCompression])
  }

  /// The xz decoder is kept per thread from file to file: after a corrupt stream the next
  /// files read as if it had never been.
  @Test(arguments: [["--format=xz"], ["--format=lzma"]])
  func aCorruptXzStreamLeavesTheNextFilesWhole(_ format: [String]) throws {
    let scratch = try Scratch()
    let paths = try scratch.copy(Array(Self.pg16.segmentPaths.prefix(3)))
    for path in paths { _ = try Fixture.run("/usr/bin/xz", format + ["-1", path]) }
    let suffix = format == ["--format=xz"] ? ".xz" : ".lzma"
    var damaged = try Scratch.bytes(paths[1] + suffix)
    damaged[damaged.count / 2] ^= 0xFF
    try Scratch.write(damaged, to: paths[1] + suffix)
    let report = try Verifier(jobs: 1).verify(paths: [scratch.path])
    #expect(report.problems.filter { $0.severity == .problem }.map(\.kind) == [.corruptCompressedFile])
    #expect(report.segments.map(\.status) == [.complete, .unreadable, .complete])
    let clean = try Verifier(jobs: 1).verify(paths: [paths[0] + suffix, paths[2] + suffix])
    #expect(report.segments[2].scan.recordCount == clean.segments[1].scan.recordCount)
  }

  /// A real segment followed by 40 MB more of zeros, all in one stream: decompression stops
  /// at the segment size (xz's output is handed to liblzma a window at a time, up to the buffer
  /// and past it).
  @Test(arguments: [("/bin/gzip", ".gz"), ("/usr/bin/xz", ".xz")])
  func aStreamThatInflatesPastASegmentIsStopped(_ tool: String, _ suffix: String) throws {
    let scratch = try Scratch()
    let plain = scratch.file("big")
    var bytes = try Scratch.bytes(Self.pg16.segmentPaths[0])
    bytes += [UInt8](repeating: 0, count: 40 << 20)
    try Scratch.write(bytes, to: plain)
    _ = try Fixture.run(tool, ["-1", plain])
    let path = scratch.file("000000010000000000000006" + suffix)
    try FileManager.default.moveItem(atPath: plain + suffix, toPath: path)
    let report = try Verifier().verify(paths: [path])
    #expect(report.problems.map(\.kind) == [.corruptCompressedFile])
    #expect(report.problems.first?.message.contains("more than 1048576 bytes") == true)
  }
}
