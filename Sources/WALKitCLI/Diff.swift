import ArgumentParser
import WALKit

extension Walkit {
  struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "diff",
      abstract: "Compare two WAL sets down to the first diverging record.",
      discussion: """
        A and B are two directories (archives, pg_wal, or one of each) or two segment files; plain, .partial and .gz files on either side. Segments are matched by name, and a segment present on both sides under different timelines by its LSN range. Records are compared by their bytes; page-header fields that legitimately differ (the timeline of a new timeline's copy of a switch segment) are not a difference.

        For directories, walkit also follows each side's newest timeline and finds where the two WAL histories part: at a recorded switch point (a promotion) or not (split brain), and what each side holds past it.

        \(ExitStatus.helpText)
        """)

    @Argument(help: "The first WAL set: a directory or a segment file.")
    var a: String

    @Argument(help: "The second WAL set: a directory or a segment file.")
    var b: String

    @Option(help: "Only compare LSNs in START..END (either may be omitted).")
    var range: String?

    @Flag(help: ArgumentHelp("Print only the verdict (as --quiet).", visibility: .hidden))
    var summary = false

    @OptionGroup var output: ReportOptions
    @OptionGroup var reading: ReadingOptions

    func validate() throws {
      if let range, Self.parseRange(range) == nil {
        throw ValidationError("--range takes START..END with LSNs such as 0/5000000..0/9000000, not '\(range)'")
      }
    }

    static func parseRange(_ text: String) -> ClosedRange<LSN>? {
      guard let dots = text.firstRange(of: "..") else { return nil }
      let lower = text[..<dots.lowerBound], upper = text[dots.upperBound...]
      let start = lower.isEmpty ? LSN.invalid : LSN(String(lower))
      let end = upper.isEmpty ? LSN(.max) : LSN(String(upper))
      guard let start, let end, start <= end else { return nil }
      return start...end
    }

    func run() throws {
      let report: ComparisonReport
      do {
        report = try WALComparison(a: a, b: b, range: range.flatMap(Self.parseRange), jobs: reading.workers, layout: reading.repositoryLayout).run()
      } catch {
        if output.json {
          print(JSONOutput.encode(DiffJSON.failure(error.description)))
        } else {
          printError("walkit diff: \(error.description)")
        }
        throw ExitCode(ExitStatus.couldNotFinish)
      }
      if output.json {
        print(JSONOutput.encode(DiffJSON(report)))
      } else {
        print(DiffText.render(report, summaryOnly: summary || output.quiet), terminator: "")
      }
      if !report.isSameWAL { throw ExitCode(ExitStatus.problemsFound) }
    }
  }
}
