import ArgumentParser
import WALKit

extension Walkit {
  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
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
      let progress = Progress.forTerminal(label: "verifying", enabled: !output.json)
      let report: VerificationReport
      do throws(WALInputs.Error) {
        let inputs = try WALInputs(paths: paths, layout: reading.repositoryLayout)
        guard !inputs.isEmpty else { throw WALInputs.Error.nothingToRead(in: paths) }
        report = Verifier(jobs: reading.workers, progress: progress?.update).verify(inputs)
      } catch {
        progress?.finish()
        if output.json {
          print(JSONOutput.encode(VerifyJSON.failure(error.description)))
        } else {
          printError("walkit verify: \(error.description)")
        }
        throw ExitCode(ExitStatus.couldNotFinish)
      }
      progress?.finish()
      if output.json {
        print(JSONOutput.encode(VerifyJSON(report)))
      } else {
        print(VerifyText.render(report, quiet: output.quiet), terminator: "")
      }
      if !report.isClean { throw ExitCode(ExitStatus.problemsFound) }
    }
  }
}
