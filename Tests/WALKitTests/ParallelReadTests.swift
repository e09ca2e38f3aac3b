import Foundation
import Testing
@testable import WALKit
@testable import WALReader

/// verify reads a segment it checks alone by every core at once, into a buffer of huge pages:
/// the bytes must be the file's, a file that ends early must be read as far as it goes, and
/// the verdict must be the one reading it on one core gives.
@Suite struct ParallelReadTests {
  /// TestData/pg15-16mb's first segment, a real 16 MB one, unpacked into `scratch`.
  static func sixteenMegabyteSegment(in scratch: Scratch) throws -> String {
    let path = scratch.file("000000010000000000000002")
    try Fixture.run("/bin/gzip", ["-dc", Fixture.path("pg15-16mb/archive/000000010000000000000002.gz")])
      .write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func aSegmentReadByEveryCoreIsTheFileByteForByte() throws {
    let scratch = try Scratch()
    let path = try Self.sixteenMegabyteSegment(in: scratch)
    let original = try Scratch.bytes(path)
    try #require(original.count == 16 << 20)
    let data = try SegmentData.load(path: path, access: .readInParallel(readers: 2))
    let same = data.bytes.elementsEqual(original)
    #expect(same, "the bytes read are the file's")
    #expect(!data.isCutShort)
    #expect(!data.hasMoreToRead)
    #expect(UInt(bitPattern: data.bytes.baseAddress) % UInt(2 << 20) == 0, "a segment-sized buffer starts on a huge page")
  }

  /// A file shorter than the buffer (cut short between its `stat` and its reading) is read as
  /// far as it goes, whichever part it ends in, by one reader or several.
  @Test(arguments: [5 << 20, 12 << 20, 16 << 20, 0], [1, 2, 4])
  func aFileThatEndsEarlyIsReadAsFarAsItGoes(length: Int, readers: Int) throws {
    let scratch = try Scratch()
    let path = try Self.sixteenMegabyteSegment(in: scratch)
    let original = try Scratch.bytes(path)
    try #require(truncate(path, off_t(length)) == 0)
    let fd = open(path, O_RDONLY)
    try #require(fd >= 0)
    defer { close(fd) }
    let target = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 << 20, alignment: 4096)
    defer { target.deallocate() }
    target.initializeMemory(as: UInt8.self, repeating: 0xEE)
    let count = try SegmentData.readInParts(fd, into: target, readers: readers).get()
    #expect(count == length)
    let same = target[0..<min(count, length)].elementsEqual(original[0..<min(count, length)])
    #expect(same, "the bytes read are the file's")
  }

  @Test func aPartThatCannotBeReadFailsTheRead() throws {
    let scratch = try Scratch()
    let fd = open(scratch.url.path, O_RDONLY | O_DIRECTORY)
    try #require(fd >= 0)
    defer { close(fd) }
    let target = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 << 20, alignment: 4096)
    defer { target.deallocate() }
    guard case .failure(let error) = SegmentData.readInParts(fd, into: target, readers: 4) else {
      Issue.record("a directory read as a file")
      return
    }
    #expect(error.description == String(cString: strerror(EISDIR)))
  }

  /// A segment verified alone on two cores (read by both, then checked in two parts where it
  /// splits) gives the report one core gives it, reading it whole; the 16 MB one holds
  /// pg_waldump's records and ends at its XLOG SWITCH.
  @Test func aLoneSegmentOnTwoCoresIsVerifiedAsOneCoreVerifiesIt() throws {
    let scratch = try Scratch()
    let large = try Self.sixteenMegabyteSegment(in: scratch)
    let split = try Verifier(jobs: 2).verify(paths: [large])
    let listing = try String(contentsOfFile: Fixture.path("pg15-16mb/waldump.txt"), encoding: .utf8)
    #expect(split.recordCount == listing.split(separator: "\n").filter { $0.contains("lsn: 0/02") }.count)
    #expect(split.segments.first?.status == .switched)
    var splitCount = 0
    for path in [large] + Fixture.plainSets.flatMap(\.segmentPaths) {
      let split = try Verifier(jobs: 2).verify(paths: [path])
      let whole = try Verifier(jobs: 1).verify(paths: [path])
      try #require(split.segments.count == 1 && whole.segments.count == 1)
      #expect(String(describing: split.segments[0]) == String(describing: whole.segments[0]), "\(path)")
      let data = try SegmentData.load(path: path, access: .readInParallel(readers: 2))
      if !SegmentScanner().splitPoints(data, file: path, name: nil, parts: 2).isEmpty { splitCount += 1 }
    }
    #expect(splitCount > 0, "some segments are checked in parts")
  }

  /// A segment that shrinks between its opening and its reading is judged by what its reading
  /// found: reported truncated, as one streamed or mapped would be, never clean at the size it
  /// had when opened.
  @Test(arguments: [1, 2])
  func aSegmentCutShortBeforeItIsReadIsReportedTruncated(readers: Int) throws {
    let scratch = try Scratch()
    let path = try Self.sixteenMegabyteSegment(in: scratch)
    let kept = 5 << 20
    try #require(truncate(path, off_t(kept)) == 0)
    let fd = open(path, O_RDONLY)
    try #require(fd >= 0)
    defer { close(fd) }
    let data = try SegmentData.readPooled(fd, count: 16 << 20, sizeWhenOpened: 16 << 20, readers: readers).get()
    #expect(data.bytes.count == kept)
    #expect(data.storedSize == UInt64(kept))
    let scan = SegmentScanner().scan(data, file: path, name: SegmentName(fileName: "000000010000000000000002"))
    #expect(scan.problems.contains { $0.kind == .truncatedFile }, "\(scan.problems)")
  }
}
