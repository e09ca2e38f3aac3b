import Foundation
import Testing
@testable import WALKit

#if canImport(Glibc)
import Glibc
#endif

/// Entries of a directory that are everyday input for walkit and must neither block, crash,
/// exhaust memory nor pass silently.
@Suite(.timeLimit(.minutes(10))) struct HostileInputTests {
  static let pg16 = Fixture.plainSets[1]
  static var isRoot: Bool { getuid() == 0 }

  /// A directory holding two real segments and whatever the test adds.
  static func archive() throws -> Scratch {
    let scratch = try Scratch()
    try scratch.copy(Array(pg16.segmentPaths.prefix(2)), into: "archive")
    return scratch
  }

  @Test(.enabled(if: isRoot, "mknod needs root"))
  func deviceNodeNamedLikeASegmentIsNotOpened() throws {
    let scratch = try Self.archive()
    #expect(mknod(scratch.file("archive/000000010000000000000008"), S_IFCHR | 0o600, (1 << 8) | 3) == 0)
    let report = try Verifier().verify(paths: [scratch.file("archive")])
    #expect(report.problems.map(\.kind) == [.unexpectedFile])
    #expect(report.problems.first?.message.contains("character device") == true)
  }

  @Test func symbolicLinkLoopIsUnreadable() throws {
    let scratch = try Self.archive()
    #expect(symlink(scratch.file("archive/000000010000000000000009"), scratch.file("archive/000000010000000000000008")) == 0)
    #expect(symlink(scratch.file("archive/000000010000000000000008"), scratch.file("archive/000000010000000000000009")) == 0)
    let report = try Verifier().verify(paths: [scratch.file("archive")])
    #expect(report.problems.map(\.kind) == [.unreadableFile, .unreadableFile])
    #expect(report.problems.first?.message.contains("symbolic links") == true)
  }

  @Test func sparseTerabyteFileNamedLikeASegmentIsReadOnlyAsFarAsASegment() throws {
    let scratch = try Self.archive()
    let path = scratch.file("archive/000000010000000000000008")
    let fd = open(path, O_CREAT | O_WRONLY, 0o600)
    #expect(ftruncate(fd, 1 << 40) == 0)
    close(fd)
    let started = ContinuousClock.now
    let report = try Verifier().verify(paths: [scratch.file("archive")])
    #expect(ContinuousClock.now - started < .seconds(20))
    #expect(report.problems.map(\.kind) == [.incompleteSegment])
    #expect(report.problems.first?.location.file == path)
  }

  @Test func oddFileNamesAreListedNotRead() throws {
    let scratch = try Self.archive()
    // A name that is not UTF-8, one with a newline, one that is almost a segment name, one with
    // a suffix no compression has.
    let names: [[UInt8]] = [Array("bad-\u{FF}".utf8).dropLast(2) + [0xFF, 0xFE], Array("line\nbreak".utf8),
                            Array("00000001000000000000000G".utf8), Array("00000001000000000000000A.rar".utf8)]
    for name in names {
      let path = Array((scratch.file("archive") + "/").utf8) + name + [0]
      let fd = path.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o600) }
      #expect(fd >= 0)
      close(fd)
    }
    let report = try Verifier().verify(paths: [scratch.file("archive")])
    #expect(report.isClean, "\(report.problems)")
    #expect(report.otherFiles.count == 4)
    #expect(report.segments.count == 2)
  }

  @Test func fileTruncatedAfterListingIsReportedNotFatal() throws {
    let scratch = try Self.archive()
    let inputs = try WALInputs(paths: [scratch.file("archive")])
    let victim = scratch.file("archive/000000010000000000000007")
    #expect(truncate(victim, 300_000) == 0)
    let report = Verifier().verify(inputs)
    #expect(report.problems.map(\.kind) == [.truncatedFile])
    #expect(report.problems.first?.location.fileOffset == 300_000)
  }

  @Test func directoryOfTwoHundredThousandFiles() throws {
    let scratch = try Self.archive()
    _ = try Fixture.run("/bin/sh", ["-c", "cd '\(scratch.file("archive"))' && seq 0 199999 | sed s/^/junk-/ | xargs touch"])
    let started = ContinuousClock.now
    let report = try Verifier().verify(paths: [scratch.file("archive")])
    #expect(ContinuousClock.now - started < .seconds(30))
    #expect(report.isClean)
    #expect(report.otherFiles.count == 200_000)
    #expect(report.segments.count == 2)
  }
}
