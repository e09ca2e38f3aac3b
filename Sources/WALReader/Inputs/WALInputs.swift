import WALCore
import WALIO

/// The WAL files found under the paths a user named: segment files, and directories (an
/// archive or a `pg_wal`) listed one level deep.
public struct WALInputs: Sendable {
  /// Files that hold or claim to hold a segment, sorted by timeline and segment.
  public var files: [WALFile] = []
  /// Files that are not segments (history and backup files, anything else), listed, not read.
  public var otherFiles: [String] = []
  /// Entries named like segments that cannot be read as one (FIFOs, devices, directories,
  /// broken links), and what backup tools' catalogues contradict.
  public var problems: [WALProblem] = []
  /// Each directory named, with the layout found in it.
  public var repositories: [Repository] = []
  /// Whether a timeline or backup history file was named itself (not found in a directory).
  public var namesHistoryFile = false

  /// A path that could not be read at all.
  public typealias Error = WALInputsError

  /// Lists `paths`: files, and directories read as the layout they have (or `layout`, when
  /// given).
  ///
  /// - Throws: ``Error`` when a named path does not exist, a named file cannot be read, a named
  ///   directory cannot be listed, or is not a repository of the layout asked for.
  public init(paths: [String], layout: RepositoryLayout? = nil) throws(Error) {
    var collected = WALFileCollector()
    for path in paths {
      switch Storage.status(of: path) {
      case .failure(let error):
        throw Error(path: path, reason: error.description)
      case .success(let status):
        if case .directory = status.type {
          repositories.append(try RepositoryLayout.list(path, as: layout, into: &collected))
        } else {
          // A file named on the command line that cannot be read ends the run, as a missing
          // one does; a file found inside a directory is a problem of the set instead.
          if case .regular = status.type, !Storage.isRemote(path) {
            switch Syscalls.openReadOnly(path) {
            case .failure(let error): throw Error(path: path, reason: "cannot read: \(error)")
            case .success(let (descriptor, _)): Syscalls.closeFile(descriptor)
            }
          }
          collected.addNamedFile(path)
        }
      }
    }
    collected.addHistoriesBesideNamedSegments()
    files = collected.files.sorted(by: Self.order)
    otherFiles = collected.otherFiles
    problems = collected.problems
    namesHistoryFile = collected.namesHistoryFile
  }

  static func order(_ a: WALFile, _ b: WALFile) -> Bool {
    switch (a.name, b.name) {
    case let (x?, y?):
      if x != y { return x < y }
      if a.isPartial != b.isPartial { return !a.isPartial }
      return a.path < b.path
    case (.some, nil): return true
    case (nil, .some): return false
    case (nil, nil): return a.path < b.path
    }
  }
}
