import Foundation
import Testing
@testable import WALKit
@testable import WALReader

#if canImport(Glibc)
import Glibc
#endif

/// walkit gaps against a real PostgreSQL 15 standby: for each damaged copy of a real archive
/// (Tests/EndToEnd/standby-scenarios.sh), the verdict must match whether the standby reached
/// the end, and the reachable LSN must be where it stopped (`pg_last_wal_replay_lsn()`); the
/// same for the old primary rejoining (clean, or refused past the fork) and for a standby's
/// backup restored to its consistent point.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct StandbyEndToEndTests {
  static let postgres = "/usr/lib/postgresql/15/bin/postgres"
  static var canRunServers: Bool {
    FileManager.default.isExecutableFile(atPath: postgres) && getuid() == 0 && getpwnam("postgres") != nil
  }

  @Test(.enabled(if: canRunServers, "needs PostgreSQL 15 (Debian postgresql-15), root and the postgres user"))
  func verdictAndReachableLSNMatchARealStandby() throws {
    let scratch = try Scratch()
    let script = Fixture.root.appendingPathComponent("Tests/EndToEnd/standby-scenarios.sh").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [script, scratch.path]
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "standby-scenarios.sh failed: \(stderr)")

    let label = try WALCatalog.backupLabel(at: scratch.file("backup_label"))
    // foreign: the segment two after the backup's start comes from another cluster;
    // other-bytes: the segment four after it holds the bytes of the one after the start.
    let cases = ["intact", "missing-after-start", "missing-before-start", "missing-history", "truncated", "foreign", "other-bytes"]
    let replayed = try cases.map { name in
      let text = try String(contentsOfFile: scratch.file("cases/\(name)/replayed-lsn"), encoding: .utf8)
      return try #require(LSN(text.strippingWhitespace(newlines: true)), "\(name): the standby never answered")
    }
    let end = replayed[0]
    for (name, standbyStopped) in zip(cases, replayed) {
      let report = try GapAnalysis(sources: [scratch.file("cases/\(name)/archive")],
                                   start: .backup(label, origin: "backup_label")).run()
      #expect(report.continuous == (standbyStopped == end), "\(name): walkit says continuous \(report.continuous), the standby stopped at \(standbyStopped) of \(end)")
      #expect(report.reachableLSN == standbyStopped, "\(name): walkit says \(report.reachableLSN), the standby stopped at \(standbyStopped)")
    }
    #expect(Set(replayed).count == 6, "the damage must change where the standby stops: \(replayed)")

    // The old primary rejoining from the intact archive: stopped before the promotion, it
    // follows timeline 2 to the end; after writing on timeline 1 past the fork, PostgreSQL
    // refuses to start ("requested timeline 2 is not a child of this server's history").
    let clean = try GapAnalysis(sources: [scratch.file("cases/intact/archive")],
                                start: .dataDirectory(DataDirectory(path: scratch.file("old/clean/data")))).run()
    let cleanReplayed = try String(contentsOfFile: scratch.file("old/clean/replayed-lsn"), encoding: .utf8)
    #expect(clean.continuous, "\(clean.problems)")
    #expect(clean.targetTimeline == TimelineID(2))
    #expect(clean.reachableLSN.description == cleanReplayed.strippingWhitespace(newlines: true))
    #expect(clean.reachableLSN == end)

    let diverged = try GapAnalysis(sources: [scratch.file("cases/intact/archive")],
                                   start: .dataDirectory(DataDirectory(path: scratch.file("old/diverged/data")))).run()
    let serverLog = try String(contentsOfFile: scratch.file("old/diverged/server.log"), encoding: .utf8)
    #expect(serverLog.contains("requested timeline 2 is not a child of this server's history"), "\(serverLog)")
    #expect(!diverged.continuous)
    #expect(diverged.blockingProblem?.kind == .timelineMismatch)
    // DETAIL:  Latest checkpoint is at X on timeline 1, but in the history of the requested
    // timeline, the server forked off from that timeline at Y.
    let detail = try #require(serverLog.split(separator: "\n").first { $0.contains("DETAIL:  Latest checkpoint is at") })
    let words = detail.split(separator: " ")
    let checkpoint = try #require(words.drop { $0 != "at" }.dropFirst().first)
    let fork = try #require(words.last?.dropLast())
    let message = diverged.blockingProblem?.message ?? ""
    #expect(message.contains("is not a child of this server's history"), "\(message)")
    #expect(message.contains("latest checkpoint in pg_control is at \(checkpoint) on timeline 1"), "\(message) / \(detail)")
    #expect(message.contains("forked off from that timeline at \(fork)"), "\(message) / \(detail)")

    // A standby's backup (BACKUP FROM: standby, no end-of-backup record) restored with
    // recovery_target = 'immediate': consistent, and paused, at its pg_control's minRecoveryPoint.
    let backup = try DataDirectory(path: scratch.file("from-standby/backup"))
    #expect(backup.backupLabel?.isFromStandby == true)
    let immediate = try GapAnalysis(sources: [scratch.file("cases/intact/archive")], start: .dataDirectory(backup),
                                    recoveryTarget: .immediate).run()
    let paused = try String(contentsOfFile: scratch.file("from-standby/replayed-lsn"), encoding: .utf8)
    #expect(immediate.continuous, "\(immediate.problems)")
    #expect(immediate.recoveryStop?.replayedThrough.description == paused.strippingWhitespace(newlines: true))
    #expect(immediate.start.backupEnd == backup.control.minRecoveryPoint)
    #expect(immediate.reachesConsistency == true)
  }
}
