import Foundation
import Testing
@testable import WALKit

/// Systematic damage to real segments of every version: each case must be reported with a
/// specific kind at the right place, and none may crash, hang or go unnoticed.
@Suite(.timeLimit(.minutes(10))) struct CorruptionMatrixTests {
  /// A real segment (the second of a set) with what the pristine file says about it.
  struct Segment {
    let bytes: [UInt8]
    let start: LSN
    let records: [(lsn: LSN, end: LSN)]
    let name: SegmentName
    let scratch: Scratch

    init(_ set: Fixture.Set) throws {
      let path = set.segmentPaths[1]
      bytes = try Scratch.bytes(path)
      name = SegmentName(fileName: URL(fileURLWithPath: path).lastPathComponent)!
      start = LSN(UInt64(name.segmentInLog) << 20)
      var found: [(LSN, LSN)] = []
      _ = SegmentScanner().scan(SegmentData(copying: bytes), file: path, name: name, visit: { found.append(($0.lsn, $0.end)) })
      records = found
      scratch = try Scratch()
    }

    /// Verifies a changed copy of the segment, alone, under its own name.
    func verify(_ change: (inout [UInt8]) -> Void) throws -> VerificationReport {
      var copy = bytes
      change(&copy)
      let path = scratch.file(name.description)
      try Scratch.write(copy, to: path)
      return try Verifier(jobs: 1).verify(paths: [path])
    }

    func offset(_ lsn: LSN) -> Int { Int(lsn.distance(from: start)) }
    /// Pages whose header says they continue a record, and pages that do not.
    var continuationPages: [Int] { (1..<128).filter { bytes[$0 * 8192 + 2] & 0x01 != 0 } }
    var ordinaryPages: [Int] { (1..<128).filter { bytes[$0 * 8192 + 2] & 0x01 == 0 && $0 * 8192 < offset(records.last!.end) } }
  }

  /// What changing byte `index` of a short page header (XOR 0xFF) must be reported as.
  static func expectedKind(headerByte index: Int, continuation: Bool) -> WALProblem.Kind? {
    switch index {
    case 0...3: .badPageHeader  // magic; info bits outside XLP_ALL_FLAGS
    case 4...7: .timelineMismatch
    case 8...15: .wrongPageAddress
    case 16...19: continuation ? .brokenContinuation : nil  // xlp_rem_len matters only on a continuation page
    default: nil  // padding: not checked by PostgreSQL either
    }
  }

  @Test(arguments: Fixture.plainSets)
  func everyPageHeaderByte(_ set: Fixture.Set) throws {
    let segment = try Segment(set)
    for (page, continuation) in [(segment.continuationPages[2], true), (segment.ordinaryPages[2], false)] {
      let pageLSN = segment.start.advanced(by: UInt64(page * 8192))!
      for index in 0..<PageHeader.shortSize {
        let report = try segment.verify { $0[page * 8192 + index] ^= 0xFF }
        let expected = Self.expectedKind(headerByte: index, continuation: continuation)
        #expect(report.problems.first?.kind == expected, "page \(page) byte \(index): \(report.problems)")
        if expected != nil { #expect(report.problems.first?.location.lsn == pageLSN, "page \(page) byte \(index)") }
      }
    }
  }

  @Test(arguments: Fixture.plainSets)
  func everyLongHeaderByte(_ set: Fixture.Set) throws {
    let segment = try Segment(set)
    for index in 0..<PageHeader.longSize {
      let report = try segment.verify { $0[index] ^= 0xFF }
      let kinds = report.problems.map(\.kind)
      switch index {
      case 0...7, 32...39:
        // Magic, info, timeline, seg size, page size: the first page is refused.
        #expect(kinds.count == 1 && [.badPageHeader, .timelineMismatch].contains(kinds[0]), "byte \(index): \(report.problems)")
      case 8...15:
        #expect(kinds == [.wrongPageAddress], "byte \(index): \(report.problems)")
      case 16...19:
        // The first page's remaining length: skipping the wrong number of continuation bytes
        // lands inside a record or at a page whose own remaining length disagrees.
        let continues = segment.bytes[2] & 0x01 != 0
        #expect(kinds.isEmpty != continues, "byte \(index): \(report.problems)")
        #expect(report.problems.allSatisfy { ($0.location.fileOffset ?? 0) < 2 * 8192 }, "byte \(index): \(report.problems)")
      case 20...23:
        #expect(kinds.isEmpty, "padding byte \(index): \(report.problems)")
      default:
        // The system identifier: alone, a segment has nothing to disagree with.
        #expect(kinds.isEmpty, "byte \(index): \(report.problems)")
      }
    }
  }

  @Test(arguments: Fixture.plainSets)
  func bitFlipsInsideRecordsAreAllCaught(_ set: Fixture.Set) throws {
    let segment = try Segment(set)
    var generator = SplitMix(seed: 0xC0FFEE)  // seed printed here so a failure repeats
    let candidates = segment.records.filter { $0.lsn >= segment.start }
    for _ in 0..<150 {
      let record = candidates.randomElement(using: &generator)!
      var position = Int.random(in: segment.offset(record.lsn)..<segment.offset(min(record.end, segment.start.advanced(by: 1 << 20)!)),
                                using: &generator)
      // Page headers inside a record are covered by the header matrix.
      if position % 8192 < PageHeader.shortSize || position < PageHeader.longSize { position = segment.offset(record.lsn) }
      let bit = UInt8(1) << UInt8.random(in: 0...7, using: &generator)
      let report = try segment.verify { $0[position] ^= bit }
      #expect(!report.isClean, "flip of bit \(bit) at offset \(position) in record \(record.lsn) went unnoticed")
      if let first = report.problems.first?.location.lsn {
        // At the record, or at the next page header, where a changed length shows.
        let nextPage = segment.start.advanced(by: UInt64((position / 8192 + 1) * 8192))!
        #expect(first <= nextPage, "offset \(position): reported at \(first)")
        #expect(first >= record.lsn || first == segment.start, "offset \(position): reported at \(first), record \(record.lsn)")
      }
    }
  }

  @Test(arguments: Fixture.plainSets)
  func truncationAtEveryPageBoundaryAndMidPage(_ set: Fixture.Set) throws {
    let segment = try Segment(set)
    for page in stride(from: 0, to: 128, by: 3) {
      for length in [page * 8192, page * 8192 + 4000] where length > 0 {
        let report = try segment.verify { $0.removeSubrange(length...) }
        #expect(report.problems.first?.kind == .truncatedFile, "length \(length): \(report.problems)")
        #expect(report.problems.contains { $0.kind == .truncatedFile && $0.location.fileOffset == UInt64(length) },
                "length \(length)")
        #expect(report.problems.allSatisfy { $0.kind == .truncatedFile }, "length \(length): \(report.problems)")
      }
    }
  }

  @Test(arguments: Fixture.plainSets)
  func impossibleTotalLengths(_ set: Fixture.Set) throws {
    let segment = try Segment(set)
    let record = segment.records[segment.records.count / 2]
    let at = segment.offset(record.lsn)
    func total(_ value: UInt32) -> (inout [UInt8]) -> Void {
      { bytes in withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(at..<(at + 4), with: $0) } }
    }
    let cases: [(UInt32, WALProblem.Kind)] = [
      (0, .incompleteSegment), (23, .invalidRecord), (0xFFFF_FFFF, .invalidRecord),
      (1000 * 8192, .brokenContinuation), (2 << 20, .brokenContinuation),
    ]
    for (value, kind) in cases {
      let started = ContinuousClock.now
      let report = try segment.verify(total(value))
      #expect(report.problems.first?.kind == kind, "xl_tot_len \(value): \(report.problems)")
      #expect(report.problems.first.map { $0.location.lsn! >= record.lsn } == true, "xl_tot_len \(value)")
      #expect(ContinuousClock.now - started < .seconds(5))
    }
  }

  @Test(arguments: Fixture.plainSets)
  func prevLinksForwardAndToThemselves(_ set: Fixture.Set) throws {
    let segment = try Segment(set)
    for record in [segment.records.first { $0.lsn >= segment.start }!, segment.records[segment.records.count / 2]] {
      let at = segment.offset(record.lsn) + 8
      for target in [record.lsn, record.lsn.advanced(by: 8)!, LSN(.max)] {
        let report = try segment.verify { bytes in
          withUnsafeBytes(of: target.rawValue.littleEndian) { bytes.replaceSubrange(at..<(at + 8), with: $0) }
        }
        #expect(report.problems.map(\.kind) == [.invalidRecord], "prev \(target) at \(record.lsn): \(report.problems)")
        #expect(report.problems.first?.location.lsn == record.lsn)
      }
    }
  }
}
