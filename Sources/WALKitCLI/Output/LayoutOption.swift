import ArgumentParser
import WALKit

/// `--layout`: how directories named on the command line are read.
enum LayoutOption: String, CaseIterable, ExpressibleByArgument {
  case auto, flat, pgbackrest, walg, barman

  static let help = ArgumentHelp(
    "How directories are laid out: auto (detect), flat, pgbackrest, walg or barman.", valueName: "layout")

  /// The layout to read with; `nil` to detect it.
  var layout: RepositoryLayout? { self == .auto ? nil : RepositoryLayout(rawValue: rawValue) }
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
