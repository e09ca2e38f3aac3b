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

    @Flag(name: .long, help: "Write one JSON document to standard output instead of text.")
    var json = false

    @Flag(name: [.short, .long], help: "Print only problems and the summary.")
    var quiet = false

    @Option(name: [.short, .long], help: "Files to read at once (default: one per processor).")
    var jobs: Int?

    @Option(help: LayoutOption.help)
    var layout: LayoutOption = .auto

    func validate() throws {
      if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
      let progress = Progress.forTerminal(label: "verifying", enabled: !json)
      let report: VerificationReport
      do throws(WALInputs.Error) {
        let inputs = try WALInputs(paths: paths, layout: layout.layout)
        guard !inputs.isEmpty else { throw WALInputs.Error.nothingToRead(in: paths) }
        report = Verifier(jobs: jobs ?? 0, progress: progress?.update).verify(inputs)
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
