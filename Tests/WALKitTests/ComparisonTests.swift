import Foundation
import Testing
@testable import WALKit

@Suite struct ComparisonTests {
  static let pg16 = Fixture.plainSets[1]

  @Test func copyOfAnArchiveIsTheSameWAL() throws {
    let scratch = try Scratch()
    try scratch.copy(Self.pg16.segmentPaths, into: "copy")
    let report = try WALComparison(a: Self.pg16.archiveURL.path, b: scratch.file("copy")).run()
    #expect(report.isSameWAL)
    #expect(report.segments.map(\.result) == Array(repeating: .identical, count: 4))
    #expect(report.divergence == nil)
  }

  @Test func flippedByteDivergesAtItsRecord() throws {
    let scratch = try Scratch()
    let copies = try scratch.copy(Self.pg16.segmentPaths, into: "copy")
    try Scratch.patch(copies[1]) { $0[300_000] ^= 0x10 }
    var recordLSN: LSN?
    _ = try WALStream(paths: [Self.pg16.archiveURL.path]).forEachRecord { record in
      if record.lsn.rawValue <= 0x700000 + 300_000 && record.end.rawValue > 0x700000 + 300_000 { recordLSN = record.lsn }
    }
    let report = try WALComparison(a: Self.pg16.archiveURL.path, b: scratch.file("copy")).run()
    #expect(!report.isSameWAL)
    #expect(report.differing.map { $0.segment.rawValue } == [7])
    let divergence = try #require(report.divergence)
    #expect(divergence.lsn == recordLSN)
    #expect(divergence.recordA?.lsn == recordLSN)
    #expect(divergence.isSwitchPoint == nil)
    #expect(divergence.beyondA?.records ?? 0 > 0)
  }

  @Test func differentTailPastTheEndOfWALIsTheSameWAL() throws {
    let scratch = try Scratch()
    let copies = try scratch.copy(Self.pg16.segmentPaths, into: "copy")
    // The last segment ends with an XLOG SWITCH record; what follows is unused.
    try Scratch.patch(copies[3]) { $0[$0.count - 100] = 0x5A }
    let report = try WALComparison(a: Self.pg16.archiveURL.path, b: scratch.file("copy")).run()
    #expect(report.isSameWAL)
    #expect(report.segments.last?.result == .sameWAL)
  }

  /// A timeline-1 .partial and the timeline-2 copy of the same switch segment hold the same
  /// records up to the .partial's end: matched by LSN range, the same WAL.
  @Test func partialAndNewTimelineCopyOfTheSwitchSegmentAreTheSameWAL() throws {
    let scratch = try Scratch()
    let archive = Fixture.path("pg18-timeline/archive")
    try scratch.copy(["00000001000000000000000C", "00000001000000000000000D", "00000001000000000000000E.partial"]
      .map { archive + "/" + $0 }, into: "old")
    try scratch.copy(["00000001000000000000000C", "00000001000000000000000D", "00000002000000000000000E"]
      .map { archive + "/" + $0 }, into: "new")
    let report = try WALComparison(a: scratch.file("old"), b: scratch.file("new")).run()
    #expect(report.isSameWAL, "\(report.segments.map(\.note))")
    let switchSegment = try #require(report.segments.last)
    #expect(switchSegment.fileA?.isPartial == true)
    #expect(switchSegment.fileB?.name?.timeline == TimelineID(2))
    #expect(switchSegment.result == .sameWAL)
  }

  @Test func twoSegmentFilesAreComparedDirectly() throws {
    let scratch = try Scratch()
    let copy = scratch.file("renamed-copy")
    try FileManager.default.copyItem(atPath: Self.pg16.segmentPaths[2], toPath: copy)
    try Scratch.patch(copy) { $0[200_000] ^= 0x01 }
    let report = try WALComparison(a: Self.pg16.segmentPaths[2], b: copy).run()
    #expect(report.segments.count == 1)
    #expect(report.segments.first?.result == .different)
    #expect(report.divergence?.recordA != nil)
  }

  @Test func rangeLimitsTheComparison() throws {
    let scratch = try Scratch()
    let copies = try scratch.copy(Self.pg16.segmentPaths, into: "copy")
    try Scratch.patch(copies[1]) { $0[300_000] ^= 0x10 }
    let report = try WALComparison(a: Self.pg16.archiveURL.path, b: scratch.file("copy"),
                                   range: LSN(0x800000)...LSN(0xA00000)).run()
    #expect(report.isSameWAL)
    #expect(report.segments.map { $0.segment.rawValue } == [8, 9])
  }
}
