import Foundation
import Testing
@testable import WALKit

/// What pg_receivewal --compress leaves (TestData/pg17-receivewal, PostgreSQL 17): a compressed
/// `.partial` that it does not pad, its stream finished when pg_receivewal stopped and
/// unfinished while it writes. Both are a segment in progress, as its plain `.partial` is,
/// and their WAL ends where pg_waldump 17 says.
@Suite struct ReceiveWALTests {
  static let base = "pg17-receivewal"

  /// The LSN of pg_waldump's "invalid record length at X" for the .partial's content.
  static func waldumpEnd() throws -> LSN {
    let text = try Fixture.text("\(base)/waldump-end.txt")
    let range = try #require(text.firstRange(of: "invalid record length at "))
    return try #require(LSN(String(text[range.upperBound...].prefix { $0 != ":" })))
  }

  @Test(arguments: ["gzip", "lz4", "gzip-unfinished"])
  func aCompressedPartialIsASegmentInProgress(_ set: String) throws {
    let directory = Fixture.path("\(Self.base)/\(set)")
    let report = try Verifier().verify(paths: [directory])
    #expect(report.isClean, "\(report.problems)")
    let partial = try #require(report.segments.last)
    #expect(partial.file.isPartial)
    #expect(partial.status == .inProgress)
    let end = try Self.waldumpEnd()
    if set == "gzip-unfinished" {
      let through = try #require(partial.scan.validThrough)
      #expect(through < end && through > LSN(rawValue: 0x800028))
    } else {
      #expect(partial.scan.validThrough == end)
      // A restore_command is asked for 000000010000000000000008, which is not there: replay
      // from the archive ends with the last whole segment, the .partial's WAL unused.
      let gaps = try GapAnalysis(sources: [directory]).run()
      #expect(gaps.continuous, "\(gaps.problems)")
      #expect(gaps.reachableLSN == LSN(rawValue: 0x800000))
    }
  }

  /// The same bytes under a plain segment name are an archived segment cut short: damage.
  @Test func aShortCompressedSegmentNotNamedPartialIsTruncated() throws {
    let scratch = try Scratch()
    let source = Fixture.path("\(Self.base)/gzip")
    for name in try FileManager.default.contentsOfDirectory(atPath: source) {
      try FileManager.default.copyItem(atPath: "\(source)/\(name)", toPath: scratch.file(name.replacingOccurrences(of: ".partial", with: "")))
    }
    let report = try Verifier().verify(paths: [scratch.path])
    #expect(report.problems.map(\.kind) == [.truncatedFile])
  }
}

extension ReceiveWALTests {
  /// pg_receivewal renames a segment's `.partial` when it has received all of it: a listing
  /// that saw the `.partial` reads the completed file instead of calling the segment
  /// unreadable (as a verify of a live receiver directory did, about one run in ten).
  @Test(arguments: [1, 2])
  func aPartialCompletedSinceTheListingIsReadUnderItsNewName(jobs: Int) throws {
    let scratch = try Scratch()
    let source = Fixture.path("\(Self.base)/gzip")
    for name in try FileManager.default.contentsOfDirectory(atPath: source) {
      try FileManager.default.copyItem(atPath: "\(source)/\(name)", toPath: scratch.file(name))
    }
    // The whole segment 7 as it was while pg_receivewal still received it, listed so.
    let whole = try #require(try FileManager.default.contentsOfDirectory(atPath: scratch.path).first { !$0.contains("partial") })
    try FileManager.default.moveItem(atPath: scratch.file(whole), toPath: scratch.file(whole + ".partial"))
    let inputs = try WALInputs(paths: [scratch.path])
    #expect(inputs.files.filter(\.isPartial).count == 2)
    try FileManager.default.moveItem(atPath: scratch.file(whole + ".partial"), toPath: scratch.file(whole))
    let report = Verifier(jobs: jobs).verify(inputs)
    #expect(report.isClean, "\(report.problems)")
    #expect(report.segments.first?.scan.validThrough == LSN(rawValue: 0x800000))
    #expect(report.segments.last?.scan.validThrough == (try Self.waldumpEnd()))
  }
}
