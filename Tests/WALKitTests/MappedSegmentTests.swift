import Foundation
import Synchronization
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
    let mapped = try SegmentData.load(path: paths[0], access: .mapped)
    let other = try SegmentData.load(path: paths[1], access: .mapped)
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
    let data = try SegmentData.load(path: path, access: .mapped)
    #expect(truncate(path, 8192) == 0)
    #expect(Array(data.bytes) == original)
    #expect(!data.isCutShort)
  }

  @Test func aReadFileIsNeverCutShort() throws {
    let data = try SegmentData.load(path: Fixture.plainSets[0].segmentPaths[0])
    #expect(!data.isCutShort)
  }

  /// Whole segments read on several threads are streamed even when their records are visited:
  /// one truncated while its records are being visited has what they gave dropped, and is
  /// read again as it is now.
  @Test func aSegmentTruncatedWhileItsRecordsAreVisitedIsReadAgainWithoutItsFirstVisits() throws {
    let scratch = try Scratch()
    let paths = try scratch.copy(Array(Fixture.plainSets[0].segmentPaths.prefix(2)))
    var before: [LSN] = []
    _ = try WALStream(paths: paths).forEachRecord { before.append($0.lsn) }
    let firstRecord = try #require(before.first)
    let cut = Atomic<Bool>(false)
    var delivered: [LSN] = []
    let report = try WALStream(paths: paths).forEachSegmentInParallel(in: nil, jobs: 2, makeChunk: { [LSN]() }, visit: { record, chunk in
      chunk.append(record.lsn)
      if record.lsn == firstRecord, !cut.exchange(true, ordering: .relaxed) {
        _ = truncate(paths[0], 100_000)
      }
    }, deliver: { delivered += $0 })

    var after: [LSN] = []
    _ = try WALStream(paths: paths).forEachRecord { after.append($0.lsn) }
    let wasCut = cut.load(ordering: .relaxed)
    #expect(wasCut)
    #expect(after.count < before.count)
    #expect(delivered == after)
    #expect(report.problems.contains { $0.kind == .truncatedFile && $0.location.file == paths[0] })
  }

  /// Chunks delivered before their segment is read to the end come in order, each with the
  /// records after the last, and together give every record once.
  @Test func chunksDeliveredEarlyGiveEveryRecordOnceInOrder() throws {
    let paths = Array(Fixture.plainSets[0].segmentPaths.prefix(4))
    var sequential: [LSN] = []
    _ = try WALStream(paths: paths).forEachRecord { sequential.append($0.lsn) }
    var chunks: [[LSN]] = []
    let report = try WALStream(paths: paths).forEachSegmentInParallel(
      in: nil, jobs: 2, makeChunk: { [LSN]() }, visit: { record, chunk in chunk.append(record.lsn) },
      isWorthDelivering: { $0.count >= 50 }, deliver: { chunks.append($0) })
    #expect(chunks.flatMap { $0 } == sequential)
    #expect(chunks.count >= sequential.count / 50)
    #expect(chunks.allSatisfy { $0.count <= 50 })
    #expect(report.recordCount == sequential.count)
  }

  /// A segment truncated after some of its chunks were delivered early is read again from
  /// where they end: no record is delivered twice, none is lost, and none is handed on from
  /// a piece read before the truncation that the file no longer holds.
  @Test func aSegmentTruncatedAfterEarlyDeliveriesGoesOnFromThem() throws {
    let scratch = try Scratch()
    let paths = try scratch.copy(Array(Fixture.plainSets[0].segmentPaths.prefix(2)))
    var before: [LSN] = []
    _ = try WALStream(paths: paths).forEachRecord { before.append($0.lsn) }
    let segmentSize = UInt64(try Scratch.bytes(paths[0]).count)
    let inFirst = before.filter { $0.rawValue / segmentSize == before[0].rawValue / segmentSize }
    try #require(inFirst.count > 40)
    // Cut at a page boundary past the 30th record, once the first 20 were delivered early.
    let kept = (inFirst[30].rawValue % segmentSize / 8192 + 1) * 8192
    let cut = Atomic<Bool>(false)
    var chunks: [[LSN]] = []
    _ = try WALStream(paths: paths).forEachSegmentInParallel(in: nil, jobs: 2, makeChunk: { [LSN]() }, visit: { record, chunk in
      chunk.append(record.lsn)
      if record.lsn == inFirst[25], !cut.exchange(true, ordering: .relaxed) {
        _ = truncate(paths[0], off_t(kept))
      }
    }, isWorthDelivering: { $0.count >= 10 }, deliver: { chunks.append($0) })

    var after: [LSN] = []
    _ = try WALStream(paths: paths).forEachRecord { after.append($0.lsn) }
    let wasCut = cut.load(ordering: .relaxed)
    #expect(wasCut)
    #expect(after.count < before.count && after.count > 30)
    #expect(chunks.prefix(2).map { $0 } == [Array(inFirst[0..<10]), Array(inFirst[10..<20])])
    #expect(chunks.flatMap { $0 } == after)
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
