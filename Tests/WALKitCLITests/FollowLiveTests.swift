import Foundation
import Testing

/// `walkit inspect --follow` on a live PostgreSQL 15 pg_wal while pgbench writes several
/// segments and checkpoints recycle old ones ahead of the insert point
/// (Tests/EndToEnd/follow-live.sh): it must show every record pg_waldump 15 lists for the same
/// range afterwards, none skipped, none twice.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct FollowLiveTests {
  @Test(.enabled(if: EndToEndScript.canRunServers, EndToEndScript.requirement))
  func followingALiveServerSkipsNoRecord() throws {
    let work = try EndToEndScript.run("follow-live.sh")
    defer { try? FileManager.default.removeItem(at: work) }

    func text(_ name: String) throws -> String {
      try String(contentsOf: work.appendingPathComponent(name), encoding: .utf8)
    }
    let truth = try text("waldump.txt").split(separator: "\n")
    let followed = try text("follow.txt").split(separator: "\n")
    let range = try text("range").split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    #expect(try text("waldump.stderr").isEmpty)
    #expect(!(try text("recycled-seen")).isEmpty, "pg_wal had no recycled segment ahead while walkit followed it")
    #expect(truth.count > 1000)
    let firstDifference = zip(followed, truth).enumerated().first { $0.element.0 != $0.element.1 }
    #expect(firstDifference == nil, "first difference at line \(firstDifference?.offset ?? -1): walkit \(firstDifference?.element.0 ?? ""), pg_waldump \(firstDifference?.element.1 ?? "")")
    #expect(followed.count >= truth.count)
    let followStderr = try text("follow.stderr")
    #expect(followStderr.hasPrefix("walkit inspect: end of WAL at "), "\(followStderr)")
    #expect(range.count == 2)
  }
}
