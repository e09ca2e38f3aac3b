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

  /// A path that could not be read at all.
  public struct Error: Swift.Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }

    public init(path: String, reason: String) {
      self.path = path
      self.reason = reason
    }

    /// The paths hold no segment: ``WALInputs/nothingToRead(in:)`` says what was looked for.
    public static func nothingToRead(in paths: [String]) -> Error {
      Error(path: "", reason: WALInputs.nothingToRead(in: paths))
    }
  }

  /// Lists `paths`: files, and directories read as the layout they have (or `layout`, when
  /// given).
  ///
  /// - Throws: ``Error`` when a named path does not exist, a named file cannot be read, a named
  ///   directory cannot be listed, or is not a repository of the layout asked for.
  public init(paths: [String], layout: RepositoryLayout? = nil) throws(Error) {
    for path in paths {
      switch Syscalls.status(of: path) {
      case .failure(let error):
        throw Error(path: path, reason: error.description)
      case .success(let status):
        if case .directory = status.type {
          try addRepository(path, layout: layout)
        } else {
          // A file named on the command line that cannot be read ends the run, as a missing
          // one does; a file found inside a directory is a problem of the set instead.
          if case .regular = status.type {
            switch Syscalls.openReadOnly(path) {
            case .failure(let error): throw Error(path: path, reason: "cannot read: \(error)")
            case .success(let (descriptor, _)): Syscalls.closeFile(descriptor)
            }
          }
          addNamedFile(path)
        }
      }
    }
    files.sort(by: Self.order)
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

  static func baseName(_ path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    return String(trimmed.split(separator: "/").last ?? trimmed)
  }

  static func parent(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  static func isDirectory(_ path: String) -> Bool {
    if case .success(let status) = Syscalls.status(of: path), case .directory = status.type { return true }
    return false
  }

  /// A pg_wal: a directory with `archive_status/`.
  static func isLiveDirectory(_ directory: String) -> Bool { isDirectory(join(directory, "archive_status")) }

  static func isRegularFile(_ path: String) -> Bool {
    if case .success(let status) = Syscalls.status(of: path), case .regular = status.type { return true }
    return false
  }

  static func join(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
  }

  /// The entries of `directory`, sorted by name.
  static func entries(of directory: String) throws(Error) -> [Syscalls.DirectoryEntry] {
    switch Syscalls.directoryEntries(directory) {
    case .failure(let error): throw Error(path: directory, reason: "cannot list directory: \(error)")
    case .success(let listed): return listed.sorted { $0.name < $1.name }
    }
  }

  private mutating func addNamedFile(_ path: String) {
    let live = Self.isLiveDirectory(Self.parent(path))
    switch WALFile.classify(fileName: Self.baseName(path)) {
    case .segment(let name, let partial, let compression):
      files.append(WALFile(path: path, name: name, isPartial: partial, compressionByName: compression, isInLiveDirectory: live))
    case .timelineHistory, .backupHistory:
      // Checked for what it is (a history or a backup history file), not read as a segment.
      otherFiles.append(path)
    default:
      // A file named on the command line is read whatever its name; its first page tells
      // which segment it is.
      files.append(WALFile(path: path, name: nil, isInLiveDirectory: live))
    }
  }

  /// Lists a plain directory of WAL files: an archive, or a pg_wal.
  mutating func addFlatDirectory(_ directory: String) throws(Error) -> Repository {
    let live = Self.isLiveDirectory(directory)
    var count = 0
    for entry in try Self.entries(of: directory) {
      if live && (entry.name == "archive_status" || entry.name == "summaries") { continue }
      if add(Self.join(directory, entry.name), fileName: entry.name, type: entry.type, live: live) { count += 1 }
    }
    return Repository(path: directory, layout: .flat, summary: live ? "pg_wal directory" : "directory of \(count) WAL files")
  }

  /// Adds one directory entry by what its name says: a segment (checked to be a regular file),
  /// or another file listed for the catalogue. Returns whether it is a segment.
  @discardableResult
  mutating func add(_ path: String, fileName: String, type listedType: Syscalls.FileType?, live: Bool = false,
                    catalogEntry: CatalogEntry? = nil) -> Bool
  {
    guard case .segment(let segment, let partial, let named) = WALFile.classify(fileName: fileName) else {
      otherFiles.append(path)
      return false
    }
    let location = WALLocation(file: path, segment: segment)
    var type = listedType
    if type == nil {
      switch Syscalls.status(of: path) {
      case .failure(let error):
        problems.append(WALProblem(.unreadableFile, "cannot read: \(error)", at: location))
        return true
      case .success(let status):
        type = status.type
      }
    }
    switch type! {
    case .regular:
      files.append(WALFile(path: path, name: segment, isPartial: partial, compressionByName: named,
                           isInLiveDirectory: live, catalogEntry: catalogEntry))
    case .directory:
      problems.append(WALProblem(.unexpectedFile, "expected a segment file, found a directory; not read", at: location))
    case .other(let what):
      problems.append(WALProblem(.unexpectedFile, "expected a segment file, found \(what); not read", at: location))
    case .symbolicLink:
      problems.append(WALProblem(.unexpectedFile, "expected a segment file, found a symbolic link that stat does not follow", at: location))
    }
    return true
  }
}
