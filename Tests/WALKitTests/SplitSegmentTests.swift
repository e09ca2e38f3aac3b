import Foundation
import Testing
@testable import WALKit
@testable import WALReader

/// A lone segment is read in parts on several threads; what comes out must be what one
/// thread reading it whole gives, damage included.
@Suite struct SplitSegmentTests {
  static func lines(_ path: String, jobs: Int?) -> (lines: [String], report: VerificationReport) {
    let stream = try! WALStream(paths: [path])
    var lines: [String] = []
    guard let jobs else {
      let report = stream.forEachRecord(in: nil, afterDamage: .stop) { record in
        lines.append(record.pgWaldumpLine)
        return true
      }
      return (lines, report)
    }
    let report = stream.forEachSegmentInParallel(in: nil, afterDamage: .stop, jobs: jobs, makeChunk: { [String]() },
                                                 visit: { record, chunk in chunk.append(record.pgWaldumpLine) },
                                                 deliver: { lines += $0 })
    return (lines, report)
  }

  @Test(arguments: Fixture.plainSets)
  func partsGiveTheWholeSegment(_ set: Fixture.Set) throws {
    var split = 0
    for path in set.segmentPaths {
      // A segment ended by XLOG SWITCH, or one a huge record spans, has no boundary to split at.
      let pieces = Piece.cut([WALFile(path: path, name: SegmentName(fileName: URL(fileURLWithPath: path).lastPathComponent))], workers: 3)
      if pieces.count == 3 { split += 1 }
      let whole = Self.lines(path, jobs: nil)
      let parts = Self.lines(path, jobs: 3)
      #expect(parts.lines == whole.lines)
      #expect(parts.report.recordCount == whole.report.recordCount)
      #expect(parts.report.segments.map(\.scan.ending) == whole.report.segments.map(\.scan.ending))
      #expect(parts.report.problems == whole.report.problems)
      Self.expectVerifiersAgree(on: path)
    }
    #expect(split >= 2)
  }

  /// `verify` of one file in parts on three workers says what one worker reading it whole says.
  static func expectVerifiersAgree(on path: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let one = try! Verifier(jobs: 1).verify(paths: [path])
    let three = try! Verifier(jobs: 3).verify(paths: [path])
    #expect(three.recordCount == one.recordCount, sourceLocation: sourceLocation)
    #expect(three.problems == one.problems, sourceLocation: sourceLocation)
    #expect(three.segments.map(\.scan.ending) == one.segments.map(\.scan.ending), sourceLocation: sourceLocation)
    #expect(three.segments.map(\.scan.validThrough) == one.segments.map(\.scan.validThrough), sourceLocation: sourceLocation)
    #expect(three.segments.map(\.scan.lastRecord) == one.segments.map(\.scan.lastRecord), sourceLocation: sourceLocation)
  }

  @Test func damageNearASplitPointReadsAsOneThreadReadsIt() throws {
    let scratch = try Scratch()
    let set = Fixture.plainSets[1]
    let path = try scratch.copy([set.segmentPaths[0]])[0]
    let name = SegmentName(fileName: URL(fileURLWithPath: path).lastPathComponent)
    let data = try SegmentData.load(path: path)
    let point = try #require(SegmentScanner().splitPoints(data, file: path, name: name, parts: 2).first)
    let geometry = try #require(WALGeometry.announced(by: [WALFile(path: path, name: name)]))
    // A byte flipped in the record just before the split point, and one just after it.
    for offset in [Int(geometry.segmentOffset(of: point)) - 8, Int(geometry.segmentOffset(of: point)) + 30] {
      try Scratch.patch(path) { $0[offset] ^= 0xFF }
      let whole = Self.lines(path, jobs: nil)
      let split = Self.lines(path, jobs: 2)
      #expect(!whole.report.problems.isEmpty)
      #expect(split.lines == whole.lines)
      #expect(split.report.problems == whole.report.problems)
      Self.expectVerifiersAgree(on: path)
      try Scratch.patch(path) { $0[offset] ^= 0xFF }
    }
  }
}
