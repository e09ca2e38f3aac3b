import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The scripts in Tests/EndToEnd, which run real PostgreSQL 15 servers (Debian's
/// postgresql-15, as root, servers as the postgres user) around the walkit binary.
enum EndToEndScript {
  static let postgres = "/usr/lib/postgresql/15/bin/postgres"
  static var canRunServers: Bool {
    FileManager.default.isExecutableFile(atPath: postgres) && getuid() == 0 && getpwnam("postgres") != nil
  }
  static let requirement: Comment = "needs PostgreSQL 15 (Debian postgresql-15), root and the postgres user"

  /// Runs `Tests/EndToEnd/<name>` with a new work directory and the walkit binary, and returns
  /// the directory with what it wrote; the caller removes it.
  static func run(_ name: String) throws -> URL {
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("walkit-\(name)-\(UUID().uuidString)")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [CLITests.root.appendingPathComponent("Tests/EndToEnd/\(name)").path, work.path, CLITests.binary.path]
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "\(name) failed: \(stderr)")
    return work
  }
}
