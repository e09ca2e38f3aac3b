import Foundation
import Testing
@testable import WALKit
@testable import WALReader

/// pgBackRest's `archive.info` as pgBackRest 2.45 itself loads it, on copies of the repository
/// it wrote (TestData/pg15-repositories/pgbackrest). Each expectation is what the real
/// `pgbackrest archive-get` did with the same edit to a repository of its own: it loads
/// `archive.info`, or `archive.info.copy` when the first fails its checksum; with neither it
/// fails ("[ChecksumError] unable to load info file ... or ....copy"); it serves a cluster only
/// from archive ids whose `[db:history]` entry has the cluster's system identifier and version
/// ("[ArchiveMismatchError] unable to retrieve the archive id"); and it reads nothing from
/// `[db]` but `db-id`.
@Suite struct PgBackRestArchiveInfoTests {
  let scratch: Scratch
  let repository: String
  var info: String { repository + "/archive/demo/archive.info" }
  var copy: String { info + ".copy" }
  let label: BackupLabel

  init() throws {
    scratch = try Scratch()
    repository = try RepositoryTests.copyTree("pgbackrest", into: scratch)
    label = try WALCatalog.backupLabel(at: RepositoryTests.path("backup_label"))
  }

  private func gaps() throws -> GapReport {
    try GapAnalysis(sources: [repository], start: .backup(label, origin: "backup_label")).run()
  }

  private func edit(_ path: String, _ change: (String) -> String) throws {
    try change(try String(contentsOfFile: path, encoding: .utf8)).write(toFile: path, atomically: false, encoding: .utf8)
  }

  /// Writes the checksum pgBackRest would have written for the file's content.
  private func resign(_ path: String) throws {
    let actual = try #require(try PgBackRestArchiveInfo(bytes: Scratch.bytes(path)).actualChecksum)
    try edit(path) { text in
      text.split(separator: "\n", omittingEmptySubsequences: false).map {
        $0.hasPrefix("backrest-checksum=") ? "backrest-checksum=\"\(actual)\"" : String($0)
      }.joined(separator: "\n")
    }
  }

  /// A space inside a history entry: the content pgBackRest hashes changes, its checksum does not.
  private func damage(_ path: String) throws {
    try edit(path) { $0.replacingOccurrences(of: "\"15\"}", with: "\"15\" }") }
  }

  @Test func theChecksumIsPgBackRests() throws {
    for path in [info, copy] {
      let parsed = try PgBackRestArchiveInfo(bytes: Scratch.bytes(path))
      #expect(parsed.recordedChecksum?.count == 40)
      #expect(parsed.actualChecksum == parsed.recordedChecksum)
      #expect(parsed.checksumFailure == nil)
    }
    #expect(try Verifier().verify(paths: [repository]).isClean)
  }

  @Test func aDamagedArchiveInfoIsReportedWhileItsCopyServesTheRestore() throws {
    try damage(info)
    let report = try Verifier().verify(paths: [repository])
    #expect(report.problems.map(\.kind) == [.checksumMismatch])
    let problem = try #require(report.problems.first)
    #expect(problem.location.file == info)
    #expect(problem.message.hasPrefix("invalid checksum: the file records "))
    #expect(problem.message.hasSuffix("pgBackRest refuses to load it; pgBackRest reads archive.info.copy instead"))
    let gaps = try gaps()
    #expect(gaps.continuous)
    #expect(gaps.problems.map(\.kind) == [.checksumMismatch])
  }

  @Test func withBothFilesDamagedNothingIsRestored() throws {
    try damage(info)
    try damage(copy)
    let report = try Verifier().verify(paths: [repository])
    #expect(report.problems.map(\.kind) == [.checksumMismatch, .checksumMismatch, .unreadableFile])
    #expect(report.problems.last?.message
      == "pgBackRest can load neither archive.info nor archive.info.copy, so its archive-get restores nothing from stanza demo")
    let gaps = try gaps()
    #expect(!gaps.continuous)
    #expect(gaps.blockingProblem == report.problems.last)
    #expect(gaps.reachableLSN == label.startLSN)
  }

  @Test func anArchiveIdOfAnotherClusterServesNothing() throws {
    let parsed = try PgBackRestArchiveInfo(bytes: Scratch.bytes(info))
    for path in [info, copy] {
      try edit(path) { $0.replacingOccurrences(of: String(parsed.current.systemIdentifier), with: "7000000000000000001") }
      try resign(path)
    }
    let report = try Verifier().verify(paths: [repository])
    #expect(!report.problems.isEmpty)
    #expect(report.problems.count == report.segments.count)
    #expect(report.problems.allSatisfy {
      $0.kind == .catalogMismatch && $0.message.contains("records system identifier 7000000000000000001")
        && $0.message.hasSuffix("a restore of the cluster that wrote it does not get it from there")
    })
    let gaps = try gaps()
    #expect(!gaps.continuous)
    #expect(gaps.blockingProblem?.kind == .catalogMismatch)
    #expect(gaps.blockingProblem?.location.segment == label.startSegment)
    #expect(gaps.reachableLSN == label.startLSN)
  }

  @Test func theDbSectionsSystemIdentifierIsNotWhatPgBackRestReads() throws {
    let parsed = try PgBackRestArchiveInfo(bytes: Scratch.bytes(info))
    for path in [info, copy] {
      try edit(path) { $0.replacingOccurrences(of: "db-system-id=\(parsed.current.systemIdentifier)", with: "db-system-id=7000000000000000001") }
      try resign(path)
    }
    #expect(try PgBackRestArchiveInfo(bytes: Scratch.bytes(info)).current == parsed.current)
    #expect(try Verifier().verify(paths: [repository]).isClean)
    #expect(try gaps().continuous)
  }

  @Test func aMissingArchiveInfoIsReportedWhileItsCopyServesTheRestore() throws {
    try FileManager.default.removeItem(atPath: info)
    let report = try Verifier().verify(paths: [repository])
    #expect(report.problems.map(\.kind) == [.unreadableFile])
    #expect(report.problems.first?.location.file == info)
    #expect(report.problems.first?.message.hasSuffix("pgBackRest reads archive.info.copy instead") == true)
    #expect(try gaps().continuous)
  }

  /// Both files gone: the repository is still known for one by its archive id directory, and
  /// the error says why nothing can be restored (pgBackRest: "unable to load info file").
  @Test func withoutArchiveInfoOrItsCopyTheRepositoryIsNamedAndRefused() throws {
    try FileManager.default.removeItem(atPath: info)
    try FileManager.default.removeItem(atPath: copy)
    #expect {
      try WALInputs(paths: [repository])
    } throws: { error in
      "\(error)".contains("no usable archive.info: archive.info: cannot open: No such file or directory; archive.info.copy: cannot open")
        && "\(error)".hasSuffix("pgBackRest's archive-get restores nothing from this stanza without it")
    }
  }
}
