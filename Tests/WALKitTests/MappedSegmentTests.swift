import Foundation
import Testing
@testable import WALKit
@testable import WALReader

/// A lone segment is mapped rather than read; a file truncated under its mapping must read as
/// zeros that the reader is told about, never kill the process with SIGBUS.
@Suite(.serialized) struct MappedSegmentTests {
  @Test func aMappedFileHoldsTheFileAndATruncationUnderItIsReported() throws {
    let scratch = try Scratch()
    let paths = try scratch.copy(Array(Fixture.plainSets[0].segmentPaths.prefix(2)))
    let original = try Scratch.bytes(paths[0])
    let mapped = try SegmentData.load(path: paths[0], mapped: true)
    let other = try SegmentData.load(path: paths[1], mapped: true)
    #expect(Array(mapped.bytes) == original)
    #expect(!mapped.isCutShort)

    let kept = 8192
    #expect(truncate(paths[0], off_t(kept)) == 0)
    let offset = try #require((kept..<original.count).first { original[$0] != 0 })
    #expect(mapped.bytes[offset] == 0)
    #expect(mapped.isCutShort)
    #expect(Array(mapped.bytes[0..<kept]) == Array(original[0..<kept]))
    #expect(!other.isCutShort)
    #expect(Array(other.bytes) == (try Scratch.bytes(paths[1])))
  }

  /// A host program that owns SIGBUS turns mapping off: files are read, a truncation after
  /// reading changes nothing read.
  @Test func mappingCanBeTurnedOff() throws {
    SegmentData.mappingAllowed = false
    defer { SegmentData.mappingAllowed = true }
    let scratch = try Scratch()
    let path = try scratch.copy([Fixture.plainSets[0].segmentPaths[0]])[0]
    let original = try Scratch.bytes(path)
    let data = try SegmentData.load(path: path, mapped: true)
    #expect(truncate(path, 8192) == 0)
    #expect(Array(data.bytes) == original)
    #expect(!data.isCutShort)
  }

  @Test func aReadFileIsNeverCutShort() throws {
    let data = try SegmentData.load(path: Fixture.plainSets[0].segmentPaths[0])
    #expect(!data.isCutShort)
  }

  @Test func aPieceOfASegmentTruncatedAfterSplittingAsksToBeReadAgain() throws {
    let scratch = try Scratch()
    let path = try scratch.copy([Fixture.plainSets[1].segmentPaths[0]])[0]
    let files = [WALFile(path: path, name: SegmentName(fileName: URL(fileURLWithPath: path).lastPathComponent))]
    let pieces = Piece.cut(files, workers: 2)
    try #require(pieces.count == 2)
    #expect(truncate(path, 100_000) == 0)

    let lookup = SegmentLookup(files)
    let scans = pieces.map { $0.scan(files, lookup: lookup, with: SegmentScanner(), visit: { _ in }) }
    #expect(scans.allSatisfy { $0 == nil })
    let now = lookup.scan(files[0], with: SegmentScanner())
    #expect((now.problems + [now.stopProblem].compactMap { $0 }).contains { $0.kind == .truncatedFile })
  }
}
