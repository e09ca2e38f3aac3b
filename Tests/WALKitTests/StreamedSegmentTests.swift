import Foundation
import Testing
@testable import WALKit
@testable import WALReader

/// verify reads a plain segment a piece at a time as the scanner reaches it: the answer must be
/// the one reading it whole gives, and a file that shrinks while it is read must be noticed.
@Suite(.serialized) struct StreamedSegmentTests {
  @Test func aStreamedFileIsReadPieceByPieceAsItIsAskedFor() throws {
    let path = Fixture.plainSets[0].segmentPaths[0]
    let original = try Scratch.bytes(path)
    let piece = SegmentData.streamPiece
    try #require(original.count > 3 * piece)
    let data = try SegmentData.load(path: path, access: .streamed)
    #expect(data.bytes.count == piece)
    #expect(data.hasMoreToRead)
    #expect(Array(data.bytes) == Array(original[0..<piece]))

    #expect(data.extend(toCover: piece + 10))
    #expect(data.bytes.count == 2 * piece)
    #expect(!data.extend(toCover: piece))
    #expect(data.extend(toCover: original.count))
    #expect(Array(data.bytes) == original)
    #expect(!data.hasMoreToRead)
    #expect(!data.extend(toCover: original.count + 1))
    #expect(!data.isCutShort)
  }

  @Test func aStreamedFileThatShrinksWhileReadIsCutShort() throws {
    let scratch = try Scratch()
    let path = try scratch.copy([Fixture.plainSets[0].segmentPaths[0]])[0]
    let original = try Scratch.bytes(path)
    let data = try SegmentData.load(path: path, access: .streamed)
    let kept = SegmentData.streamPiece + 5000
    #expect(truncate(path, off_t(kept)) == 0)
    #expect(data.extend(toCover: original.count))
    #expect(data.bytes.count == kept)
    #expect(Array(data.bytes) == Array(original[0..<kept]))
    #expect(!data.hasMoreToRead)
    #expect(data.isCutShort)
  }

  /// Every fixture segment, read streamed, gives the scan that reading it whole gives: records,
  /// ends, problems, and the records continuing into the next segment.
  @Test(arguments: Fixture.plainSets + Fixture.versionSets.filter { $0.timeline == TimelineID(2) })
  func aStreamedScanIsTheScanOfTheWholeFile(_ set: Fixture.Set) throws {
    let files = set.segmentPaths.map { WALFile(path: $0, name: SegmentName(fileName: URL(fileURLWithPath: $0).lastPathComponent)) }
    try #require(!files.isEmpty)
    let lookup = SegmentLookup(files)
    for file in files {
      let whole = lookup.scan(file, with: SegmentScanner(), access: .read)
      let streamed = lookup.scan(file, with: SegmentScanner(), access: .streamed)
      #expect(String(describing: streamed) == String(describing: whole), "\(file.path)")
    }
  }

  /// A segment that shrinks while verify streams it is read again as it is now: its truncation
  /// is reported, never a clean stop where the bytes ran out.
  @Test func aSegmentTruncatedWhileStreamedIsReadAgainAndReportedTruncated() throws {
    let scratch = try Scratch()
    let paths = try scratch.copy(Array(Fixture.plainSets[0].segmentPaths.prefix(2)))
    let files = paths.map { WALFile(path: $0, name: SegmentName(fileName: URL(fileURLWithPath: $0).lastPathComponent)) }
    let lookup = SegmentLookup(files)
    var truncated = false
    let first = SegmentLookup.scanOnce(files[0], with: SegmentScanner(), following: lookup.data(for:), from: nil, access: .streamed) { _ in
      if !truncated {
        truncated = true
        _ = truncate(paths[0], 100_000)
      }
    }
    #expect(truncated)
    #expect(first == nil)
    let again = lookup.scan(files[0], with: SegmentScanner(), access: .streamed)
    #expect(again.problems.contains { $0.kind == .truncatedFile && $0.location.fileOffset == 100_000 })
  }

  /// A file that shrinks after the reading stopped short of its end (the WAL ended, or a
  /// switch record) is cut short too, as a mapped one is: its reading is done again.
  @Test func aStreamedFileThatShrinksPastWhereReadingStoppedIsCutShort() throws {
    let scratch = try Scratch()
    let path = try scratch.copy([Fixture.plainSets[0].segmentPaths[0]])[0]
    let data = try SegmentData.load(path: path, access: .streamed)
    #expect(!data.isCutShort)
    #expect(truncate(path, off_t(SegmentData.streamPiece + 5000)) == 0)
    #expect(data.bytes.count == SegmentData.streamPiece)
    #expect(data.isCutShort)
  }

  /// A segment over 64 MiB is mapped, not streamed into a buffer of its size.
  @Test func aLargeSegmentIsMappedRatherThanStreamed() throws {
    let scratch = try Scratch()
    let path = scratch.file("000000010000000000000001")
    var head = Array(try Scratch.bytes(Fixture.plainSets[0].segmentPaths[0]).prefix(8192))
    let large = UInt32(128 << 20)
    withUnsafeBytes(of: large.littleEndian) { head.replaceSubrange(PageHeader.Layout.segmentSize..<(PageHeader.Layout.segmentSize + 4), with: $0) }
    try Scratch.write(head, to: path)
    #expect(truncate(path, off_t(large)) == 0)
    let data = try SegmentData.load(path: path, access: .streamed)
    #expect(data.bytes.count == Int(large))
    #expect(!data.hasMoreToRead)
  }
}
