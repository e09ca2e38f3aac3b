import Foundation
import Testing

/// `walkit gaps --from STANDBY --primary PRIMARY` against what real PostgreSQL 15 standbys do
/// when started again (Tests/EndToEnd/lagging-standby.sh): standby A, without a slot, lost WAL
/// the primary recycled; standby B kept its WAL through a slot.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct LaggingStandbyTests {
  @Test(.enabled(if: EndToEndScript.canRunServers, EndToEndScript.requirement))
  func theVerdictIsWhatTheStandbyDoes() throws {
    let work = try EndToEndScript.run("lagging-standby.sh")
    defer { try? FileManager.default.removeItem(at: work) }

    func text(_ name: String) throws -> String { try String(contentsOf: work.appendingPathComponent(name), encoding: .utf8) }
    func report(_ name: String) throws -> [String: Any] { try CLITests.json(try text("cases/\(name)/walkit.json")) }
    func redo(_ controldata: String) throws -> String {
      let line = try #require(try text(controldata).split(separator: "\n").first { $0.hasPrefix("Latest checkpoint's REDO location:") })
      return String(line.split(separator: " ").last!)
    }

    // A, streaming only: PostgreSQL names the segment it asks the primary for and cannot get;
    // walkit says it cannot catch up and that replay stops inside that very segment.
    let lost = try report("a-no-archive")
    #expect((try text("cases/a-no-archive/outcome")).hasPrefix("removed"))
    let log = try text("cases/a-no-archive/server.log")
    let removed = try #require(log.firstMatch(of: /requested WAL segment ([0-9A-F]{24}) has already been removed/)?.1)
    #expect(lost["continuous"] as? Bool == false)
    #expect((lost["catchUp"] as? [String: Any])?["verdict"] as? String == "cannot catch up")
    #expect((lost["start"] as? [String: Any])?["lsn"] as? String == (try redo("a-controldata.txt")))
    let stop = try #require((lost["reachableLSN"] as? String).flatMap(Self.lsn))
    #expect(Self.segmentName(containing: stop) == String(removed))

    // A with the archive: PostgreSQL restores and catches up; walkit's verdict says so, its
    // reachable LSN is where replay got, and what it says only the archive has was restored.
    let restored = try report("a-archive")
    let outcome = try text("cases/a-archive/outcome").split(separator: " ")
    #expect(outcome.prefix(2).joined(separator: " ") == "caught up")
    #expect(restored["continuous"] as? Bool == true)
    let catchUp = try #require(restored["catchUp"] as? [String: Any])
    #expect(catchUp["verdict"] as? String == "restore from the archive, then stream")
    let walEnd = try text("primary-wal-end").split(separator: " ").compactMap { Self.lsn(String($0).trimmingCharacters(in: .whitespacesAndNewlines)) }
    #expect(walEnd.count == 2)
    try Self.expectReplayEnd(restored, standby: outcome.last.map(String.init), primaryWALEnd: walEnd)
    let restoredFiles = Set(try text("cases/a-archive/server.log").matches(of: /restored log file "([0-9A-F]{24})" from archive/).map { String($0.1) })
    let archiveOnly = try #require(catchUp["archiveOnly"] as? [[String: Any]])
    #expect(!archiveOnly.isEmpty)
    for range in archiveOnly {
      #expect(restoredFiles.contains(range["first"] as? String ?? ""), "\(range)")
      #expect(restoredFiles.contains(range["last"] as? String ?? ""), "\(range)")
    }

    // B, with a slot: it streams and catches up; walkit names the slot that kept its WAL.
    let slotted = try report("b-slot")
    let streamed = try text("cases/b-slot/outcome").split(separator: " ")
    #expect(streamed.prefix(2).joined(separator: " ") == "caught up")
    #expect(slotted["continuous"] as? Bool == true)
    let slotCatchUp = try #require(slotted["catchUp"] as? [String: Any])
    #expect(slotCatchUp["verdict"] as? String == "resume streaming")
    #expect(slotCatchUp["holdingSlot"] as? String == "standby_b")
    #expect((slotted["start"] as? [String: Any])?["lsn"] as? String == (try redo("b-controldata.txt")))
    try Self.expectReplayEnd(slotted, standby: streamed.last.map(String.init), primaryWALEnd: walEnd)
  }

  /// walkit's reachable LSN is the end of the primary's WAL when it read it (pg_current_wal_insert_lsn
  /// before and after walkit's runs: the same unless the primary's background writer logged a
  /// snapshot meanwhile), and the standby, started again, replays at least that far.
  static func expectReplayEnd(_ report: [String: Any], standby: String?, primaryWALEnd: [UInt64]) throws {
    let reachable = try #require((report["reachableLSN"] as? String).flatMap(lsn))
    let replayed = try #require(standby.flatMap { lsn($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
    #expect(reachable >= primaryWALEnd[0] && reachable <= primaryWALEnd[1], "\(reachable) \(primaryWALEnd)")
    #expect(replayed >= reachable)
  }

  static func lsn(_ text: String) -> UInt64? {
    let parts = text.split(separator: "/")
    guard parts.count == 2, let high = UInt64(parts[0], radix: 16), let low = UInt64(parts[1], radix: 16) else { return nil }
    return high << 32 | low
  }

  /// The 1 MB segment of timeline 1 holding `lsn`, as PostgreSQL names it.
  static func segmentName(containing lsn: UInt64) -> String {
    let segment = lsn >> 20
    let perLog: UInt64 = 0x1_0000_0000 >> 20
    func hex8(_ value: UInt64) -> String {
      let digits = String(value, radix: 16, uppercase: true)
      return String(repeating: "0", count: 8 - digits.count) + digits
    }
    return hex8(1) + hex8(segment / perLog) + hex8(segment % perLog)
  }
}
