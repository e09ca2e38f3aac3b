import ArgumentParser
import WALKit

/// `--layout`: how directories named on the command line are read.
enum LayoutOption: String, CaseIterable, ExpressibleByArgument {
  case auto, flat, pgbackrest, walg, barman
  case barmanCloud = "barman-cloud"

  static let help = ArgumentHelp(
    "How directories are laid out: auto (detect), flat, pgbackrest, walg, barman or barman-cloud.", valueName: "layout")

  /// The layout to read with; `nil` to detect it.
  var layout: RepositoryLayout? { self == .auto ? nil : RepositoryLayout(rawValue: rawValue) }
}

/// `--layout`, taken by every command that reads directories.
struct LayoutOptions: ParsableArguments {
  @Option(help: LayoutOption.help)
  var layout: LayoutOption = .auto

  /// The layout to read with; `nil` to detect it.
  var repositoryLayout: RepositoryLayout? { layout.layout }
}

/// `--layout` and `--jobs`, taken by the commands that read sets of WAL files in parallel.
struct ReadingOptions: ParsableArguments {
  @OptionGroup var layoutOptions: LayoutOptions

  @Option(name: [.short, .long], help: "Files to read at once (default: one per processor).")
  var jobs: Int?

  func validate() throws {
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
  }

  /// Workers to read with; 0 lets the library take one per processor.
  var workers: Int { jobs ?? 0 }
  var repositoryLayout: RepositoryLayout? { layoutOptions.repositoryLayout }
}

/// `--json` and `--quiet`, taken by the commands that write a report: verify, gaps and diff.
struct ReportOptions: ParsableArguments {
  @Flag(name: .long, help: "Write one JSON document to standard output instead of text.")
  var json = false

  @Flag(name: [.short, .long], help: "Print only the verdict and the problems found.")
  var quiet = false
}

/// A directory named as a source in JSON output, with the layout found in it.
struct RepositoryJSON: Encodable {
  var path: String
  var layout: String
  var summary: String

  init(_ repository: Repository) {
    path = repository.path
    layout = repository.layout.rawValue
    summary = repository.summary
  }
}

/// Lines naming the backup tools' repositories among `repositories` (plain directories need
/// no introduction).
func repositoryLines(_ repositories: [Repository]) -> String {
  repositories.filter { $0.layout != .flat }.map { "\($0.path): \($0.summary)\n" }.joined()
}
