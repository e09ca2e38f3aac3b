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
    var command: ParsableCommand
    do {
      command = try parseAsRoot(arguments)
    } catch {
      exit(withError: error)
    }
    var failure: Error?
    do { try command.run() } catch { failure = error }
    if let writeError = StandardOutput.finish() {
      printError("walkit: cannot write standard output: \(writeError)")
      Glibc.exit(ExitStatus.couldNotFinish)
    }
    if let failure, failure is ValidationError, !(command is Walkit) {
      printError("walkit \(type(of: command)._commandName): \(failure)")
      printError("Usage: " + usageString(for: type(of: command)))
      printError("  See 'walkit \(type(of: command)._commandName) --help' for more information.")
      Glibc.exit(ExitStatus.usage)
    }
    exit(withError: failure)
  }

  static let configuration = CommandConfiguration(
    commandName: "walkit",
    abstract: "Read and verify PostgreSQL write-ahead log (WAL) of PostgreSQL 10 to 18.",
    discussion: """
      walkit only reads: it never writes, renames or deletes the files it checks. LSNs are written as PostgreSQL writes them (16/B374D848).

      \(ExitStatus.helpText)
      """,
    version: versionText,
    subcommands: [Verify.self, Inspect.self, Gaps.self, Diff.self])

  /// The version, and what this binary was built with and chose on this CPU.
  static let versionText = """
    walkit 0.1.0
    CRC-32C: \(CRC32C.implementation)
    codecs: gzip (libdeflate, zlib), zstd, lz4, bzip2, xz and lzma, brotli; SHA-1 (pgBackRest checksums): OpenSSL
    """
}
