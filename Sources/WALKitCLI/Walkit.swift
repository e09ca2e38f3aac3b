import ArgumentParser

@main
struct Walkit: ParsableCommand {
  /// pg_waldump's `--stats=record` and `--stats=rmgr` spelled as walkit's flags.
  static func main() {
    let arguments = CommandLine.arguments.dropFirst().map { argument in
      switch argument {
      case "--stats=record": "--stats-per-record"
      case "--stats=rmgr": "--stats"
      default: argument
      }
    }
    main(Array(arguments))
  }

  static let configuration = CommandConfiguration(
    commandName: "walkit",
    abstract: "Read and verify PostgreSQL write-ahead log (WAL) of PostgreSQL 10 to 18.",
    discussion: """
      walkit only reads: it never writes, renames or deletes the files it checks.
      LSNs are written as PostgreSQL writes them (16/B374D848).

      \(ExitStatus.helpText)
      """,
    version: "0.1.0",
    subcommands: [Verify.self, Inspect.self, Gaps.self, Diff.self])
}
