import ArgumentParser
import WALKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct Walkit: ParsableCommand {
  /// Runs the command; a usage error names the subcommand's usage, and output that could not
  /// be written turns any ending into exit status 2.
  static func main() {
    // pg_waldump's `--stats=record` and `--stats=rmgr` spelled as walkit's flags, and its
    // getopt spellings with the value attached (`-n10`, `-s0/A000028`).
    let arguments = PgWaldumpSpellings.normalize(Array(CommandLine.arguments.dropFirst()))
    if let verify = Verify.quickForm(arguments) { runQuickForm(Verify.self, verify) }
    if let inspect = InspectRequest.quickForm(arguments) { runQuickForm(Inspect.self, inspect.run) }
    var command: ParsableCommand
    do {
      command = try parseAsRoot(arguments)
    } catch {
      exit(withError: error)
    }
    var failure: Error?
    do { try command.run() } catch { failure = error }
    finishOutput()
    if let failure, failure is ValidationError, !(command is Walkit) { exitForUsage(type(of: command), failure) }
    exit(withError: failure)
  }

  /// Runs a command read without ArgumentParser (``Verify/quickForm(_:)``,
  /// ``InspectRequest/quickForm(_:)``), ending as `main` does.
  private static func runQuickForm(_ command: ParsableCommand.Type, _ body: () throws -> Void) -> Never {
    var status = ExitStatus.clean
    do {
      try body()
    } catch let code as ExitCode {
      status = code.rawValue
    } catch {
      finishOutput()
      if error is ValidationError { exitForUsage(command, error) }
      printError("walkit: \(error)")
      status = ExitStatus.couldNotFinish
    }
    finishOutput()
    // Standard output is flushed and walkit registers no exit handlers; the libraries' (the C
    // library's, OpenSSL's under libcurl) need not run: skipping them spares a run over one
    // segment 0.1 ms.
    Glibc._exit(status)
  }

  /// Writes out what standard output still holds; exits with status 2 if it cannot.
  private static func finishOutput() {
    guard let writeError = StandardOutput.finish() else { return }
    printError("walkit: cannot write standard output: \(writeError)")
    Glibc.exit(ExitStatus.couldNotFinish)
  }

  /// A usage error found once the command ran: the error, the command's usage, status 64.
  private static func exitForUsage(_ command: ParsableCommand.Type, _ failure: Error) -> Never {
    printError("walkit \(command._commandName): \(failure)")
    printError("Usage: " + usageString(for: command))
    printError("  See 'walkit \(command._commandName) --help' for more information.")
    Glibc.exit(ExitStatus.usage)
  }

  static let configuration = CommandConfiguration(
    commandName: "walkit",
    abstract: "Read and verify PostgreSQL write-ahead log (WAL) of PostgreSQL 10 to 18.",
    discussion: """
      walkit only reads: it never writes, renames or deletes the files it checks. LSNs are written as PostgreSQL writes them (16/B374D848).

      \(ExitStatus.helpText)
      """,
    subcommands: [Verify.self, Inspect.self, Gaps.self, Diff.self])

  // Not ArgumentParser's `version:`, which it computes on every run: the text loads every
  // optional library to say which are installed.
  @Flag(name: .long, help: "Show the version, the CRC-32C code chosen for this CPU and the libraries found.")
  var version = false

  func run() throws {
    guard version else { throw CleanExit.helpRequest(self) }
    print(Self.versionText, terminator: "")
  }

  /// The version, the CRC-32C code chosen on this CPU, and the optional libraries: found (with
  /// their version) or not (with the Debian package to install).
  static var versionText: String {
    var table = TextTable([("library", .left), ("for", .left)])
    table.append(["zlib \(Codec.zlibVersion)", "gzip files"])
    for codec in Codec.allCases {
      let found = codec.isAvailable
        ? codec.library + (codec.version.map { " \($0)" } ?? "")
        : "\(codec.library): " + (codec.problem.map { $0 == "not found" ? "not found; install \(codec.package)" : $0 } ?? "")
      table.append([found, codec.purpose])
    }
    table.append([S3Client.libraryVersion.map { "libcurl.so.4 " + $0 } ?? "libcurl.so.4: \(S3Client.unavailableReason ?? "")", "s3:// paths"])
    let selection = CRC32C.selection.isEmpty ? "" : " (\(CRC32C.selection))"
    return "walkit 0.1.0\nCRC-32C: \(CRC32C.implementation)\(selection)\n\n" + table.render()
  }
}
