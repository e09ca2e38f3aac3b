import Foundation
import Testing

/// `walkit gaps --to… ` against real point-in-time recoveries of a PostgreSQL 15 base backup
/// (Tests/EndToEnd/recovery-targets.sh): for every kind of target, inclusive and not, walkit's
/// stop is the server's own `recovery stopping …` line and `pg_last_wal_replay_lsn()`; a target
/// the WAL does not reach is the server's FATAL.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct RecoveryTargetTests {
  static let reached = ["immediate", "xid", "xid-exclusive", "xid-abort", "xid-prepared", "time", "time-early", "name",
                        "lsn", "lsn-exclusive", "lsn-inside", "lsn-inside-exclusive"]

  @Test(.enabled(if: EndToEndScript.canRunServers, EndToEndScript.requirement))
  func theStopIsWherePostgreSQLStops() throws {
    let work = try EndToEndScript.run("recovery-targets.sh")
    defer { try? FileManager.default.removeItem(at: work) }
    func text(_ name: String) throws -> String {
      try String(contentsOf: work.appendingPathComponent(name), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    for name in Self.reached {
      let report = try CLITests.json(try text("cases/\(name)/walkit.json"))
      let stop = try #require(report["recoveryStop"] as? [String: Any], "\(name): \(report)")
      let serverLine = try text("cases/\(name)/stop")
      #expect(serverLine.hasPrefix("recovery stopping"), "\(name): \(serverLine)")
      #expect(stop["message"] as? String == serverLine, "\(name)")
      let replayed = try text("cases/\(name)/replay-lsn")
      #expect(stop["replayedThroughLSN"] as? String == replayed, "\(name)")
      #expect(report["reachableLSN"] as? String == replayed, "\(name)")
      #expect(report["continuous"] as? Bool == true, "\(name)")
    }

    // A target inside a record: the server names the next record's start, where it stops, not
    // the target (walkit's line is held to the server's above).
    let inside = try #require(try text("targets").split(separator: " ").first { $0.hasPrefix("lsn_inside=") }?.dropFirst(11))
    for name in ["lsn-inside", "lsn-inside-exclusive"] {
      #expect(try !text("cases/\(name)/stop").contains("\"\(inside)\""), "\(name)")
    }

    // The restore point is named twice: both stop at the first.
    let name = try CLITests.json(try text("cases/name/walkit.json"))
    #expect(((name["recoveryStop"] as? [String: Any])?["message"] as? String)?.contains("before_four") == true)

    let unreached = try CLITests.json(try text("cases/unreached/walkit.json"))
    #expect(try text("cases/unreached/stop").hasPrefix("FATAL:  recovery ended before configured recovery target was reached"))
    #expect(unreached["continuous"] as? Bool == false)
    #expect(unreached["recoveryStop"] is NSNull)
    #expect((unreached["firstProblem"] as? [String: Any])?["kind"] as? String == "target-not-reached")
  }
}
