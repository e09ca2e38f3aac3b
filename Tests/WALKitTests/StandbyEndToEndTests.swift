import Foundation
import Testing
@testable import WALKit
@testable import WALReader

#if canImport(Glibc)
import Glibc
#endif

/// walkit gaps against a real PostgreSQL 15 standby: for each damaged copy of a real archive
/// (Tests/EndToEnd/standby-scenarios.sh), the verdict must match whether the standby reached
/// the end, and the reachable LSN must be where it stopped (`pg_last_wal_replay_lsn()`).
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
  }
}
