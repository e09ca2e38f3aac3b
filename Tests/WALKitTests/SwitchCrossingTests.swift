import Foundation
import Testing
@testable import WALKit

/// XLOG SWITCH records begun 16 and 8 bytes before a segment's end (TestData/pg15-switch-crossing):
/// their last bytes open the next segment, which PostgreSQL then leaves unused, and WAL goes on in
/// the segment after. pg_waldump 15 lists both and goes on; so must walkit, calling nothing damaged.
@Suite struct SwitchCrossingTests {
  static let archive = Fixture.path("pg15-switch-crossing/archive")
  static func listing() throws -> [WaldumpRecord] { WaldumpRecord.parse(try Fixture.text("pg15-switch-crossing/waldump.txt")) }

  @Test func theSegmentsASwitchRecordCrossesIntoAreSwitchedNotDamaged() throws {
    let listing = try Self.listing()
    let switches = listing.filter { $0.rmgr == "XLOG" && $0.type == "SWITCH" && $0.lsn.rawValue % (1 << 20) > (1 << 20) - 24 }
    #expect(switches.map { (1 << 20) - $0.lsn.rawValue % (1 << 20) } == [16, 8])
    let report = try Verifier(jobs: 2).verify(paths: [Self.archive])
    #expect(report.isClean, "\(report.problems)")
    #expect(report.segments.allSatisfy { $0.status == .switched })
    #expect(report.segments.reduce(0) { $0 + $1.scan.recordCount } == listing.count)
    for record in switches {
      let crossedInto = report.segments.first { $0.name?.segmentInLog == UInt32(record.lsn.rawValue >> 20) + 1 }
      #expect(crossedInto?.scan.continuedBytes == UInt64(24 - ((1 << 20) - record.lsn.rawValue % (1 << 20))))
      #expect(crossedInto?.scan.recordCount == 0)
    }
  }

  @Test func recordsAreThePgWaldumpListing() throws {
    var found: [WaldumpRecord] = []
    let report = try WALStream(paths: [Self.archive]).forEachRecord { found.append(WaldumpRecord($0)) }
    #expect(report.isClean, "\(report.problems)")
    #expect(found == (try Self.listing()))
  }

  @Test func aStandbyReplaysPastThem() throws {
    let report = try GapAnalysis(sources: [Self.archive]).run()
    #expect(report.continuous, "\(report.problems)")
    #expect(report.path.allSatisfy { $0.status == .ok })
    #expect(report.reachableLSN == LSN(0xB00000))
  }

  /// Only zeros may follow the switch record's end on that first page: anything else is read as
  /// WAL, and found damaged.
  @Test func bytesAfterTheCrossingSwitchAreReadAsWAL() throws {
    let scratch = try Scratch()
    let copies = try scratch.copy(FileManager.default.contentsOfDirectory(atPath: Self.archive).sorted().map { Self.archive + "/" + $0 })
    let crossedInto = try #require(copies.first { $0.hasSuffix("000000010000000000000007") })
    try Scratch.patch(crossedInto) { $0[40 + 8 + 100] = 0x5A }
    let report = try Verifier(jobs: 2).verify(paths: [scratch.path])
    #expect(!report.isClean)
    #expect(report.segments.first { $0.file.path == crossedInto }?.status == .damaged)
  }

  /// The same first page under segment 0's name, whose start is LSN 0: no record can begin
  /// before it, so its bytes are read as WAL (damage), and nothing traps.
  @Test func aCrossingSwitchIntoSegmentZeroIsDamage() throws {
    let scratch = try Scratch()
    var bytes = try Scratch.bytes(Self.archive + "/000000010000000000000007")
    bytes.replaceSubrange(8..<16, with: [UInt8](repeating: 0, count: 8))  // xlp_pageaddr 0/0
    let path = scratch.file("000000010000000000000000")
    try Scratch.write(bytes, to: path)
    let report = try Verifier(jobs: 1).verify(paths: [path])
    #expect(!report.isClean)
    #expect(report.segments.first?.status == .damaged)
  }
}
