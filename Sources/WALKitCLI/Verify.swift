import ArgumentParser
import WALKit

extension Walkit {
  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "verify",
      abstract: "Check every page header and every record CRC of WAL segments.",
      discussion: """
        PATH is a segment file (also .partial, or compressed: gzip, zstd, lz4, bzip2, xz, lzma, brotli) or a directory: an archive, a pg_wal, or a pgBackRest, WAL-G or Barman repository (the layout is detected; --layout names it). For a directory walkit also checks that consecutive segments of each timeline are all present and join up, that every segment comes from the same cluster, that each timeline after the first has its .history file, and that no timeline goes on past the switch point where a .history file says a child left it. Other files are listed.

        \(ExitStatus.helpText)
        """)

    @Argument(help: "Segment files (plain, compressed or .partial) or directories (an archive, a pg_wal, a backup tool's repository).")
    var paths: [String]

    @OptionGroup var output: ReportOptions
    @OptionGroup var reading: ReadingOptions

    func run() throws {
      try Self.verify(paths, layout: reading.repositoryLayout, workers: reading.workers, json: output.json, quiet: output.quiet)
    }

    /// `verify` followed by nothing but paths, `-q`/`--quiet` and `--json`: the form an
    /// `archive_command` runs for every segment (`walkit verify -q %p`), read here rather than
    /// by ArgumentParser, whose reflection over the commands costs about 2 ms a run
    /// (docs/benchmarks.md). Anything else is left to ArgumentParser, `nil` here.
    static func quickForm(_ arguments: [String]) -> (() throws -> Void)? {
      guard arguments.first == "verify" else { return nil }
      var paths: [String] = []
      var json = false
      var quiet = false
      for argument in arguments.dropFirst() {
        switch argument {
        case "-q", "--quiet": quiet = true
        case "--json": json = true
        default:
          guard !argument.hasPrefix("-") else { return nil }
          paths.append(argument)
        }
      }
      guard !paths.isEmpty else { return nil }
      return { try verify(paths, layout: nil, workers: 0, json: json, quiet: quiet) }
    }

    private static func verify(_ paths: [String], layout: RepositoryLayout?, workers: Int, json: Bool, quiet: Bool) throws {
      if workers != 1 { Workers.wake() }
      let progress = Progress.forTerminal(label: "verifying", enabled: !json)
      let report: VerificationReport
      do throws(WALInputs.Error) {
        let inputs = try WALInputs(paths: paths, layout: layout)
        guard !inputs.isEmpty else { throw WALInputs.Error.nothingToRead(in: paths) }
        report = Verifier(jobs: workers, progress: progress?.update).verify(inputs)
      } catch {
        progress?.finish()
        if json {
          print(JSONOutput.encode(VerifyJSON.failure(error.description)))
        } else {
          printError("walkit verify: \(error.description)")
        }
        throw ExitCode(ExitStatus.couldNotFinish)
      }
      progress?.finish()
      if json {
        print(JSONOutput.encode(VerifyJSON(report)))
      } else {
        print(VerifyText.render(report, quiet: quiet), terminator: "")
      }
      if !report.isClean { throw ExitCode(ExitStatus.problemsFound) }
    }
  }
}
