/// The WAL files found under the paths a user named: segment files, and directories (an
/// archive or a `pg_wal`) listed one level deep.
public struct WALInputs: Sendable {
  /// Files that hold or claim to hold a segment, sorted by timeline and segment.
  public var files: [WALFile] = []
  /// Files that are not segments (history and backup files, anything else), listed, not read.
  public var otherFiles: [String] = []
  /// Entries named like segments that cannot be read as one (FIFOs, devices, directories,
  /// broken links).
  public var problems: [WALProblem] = []

  /// A path that could not be read at all.
  public struct Error: Swift.Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
  }

  /// Lists `paths`.
  ///
  /// - Throws: ``Error`` when a named path does not exist or a named directory cannot be listed.
  public init(paths: [String]) throws(Error) {
    for path in paths {
      switch Syscalls.status(of: path) {
      case .failure(let error):
        throw Error(path: path, reason: error.description)
      case .success(let status):
        if case .directory = status.type {
          try addDirectory(path)
        } else {
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

  private static func baseName(_ path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    return String(trimmed.split(separator: "/").last ?? trimmed)
  }

  private static func parent(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  private static func isLiveDirectory(_ directory: String) -> Bool {
    if case .success(let status) = Syscalls.status(of: join(directory, "archive_status")), case .directory = status.type {
      return true
    }
    return false
  }

  private static func join(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
  }

  private mutating func addNamedFile(_ path: String) {
    let live = Self.isLiveDirectory(Self.parent(path))
    switch WALFile.classify(fileName: Self.baseName(path)) {
    case .segment(let name, let partial, let compressed):
      files.append(WALFile(path: path, name: name, isPartial: partial, isCompressedByName: compressed, isInLiveDirectory: live))
    default:
      // A file named on the command line is read whatever its name; its first page tells
      // which segment it is.
      files.append(WALFile(path: path, name: nil, isInLiveDirectory: live))
    }
  }

  private mutating func addDirectory(_ directory: String) throws(Error) {
    let entries: [Syscalls.DirectoryEntry]
    switch Syscalls.directoryEntries(directory) {
    case .failure(let error): throw Error(path: directory, reason: "cannot list directory: \(error)")
    case .success(let listed): entries = listed.sorted { $0.name < $1.name }
    }
    let live = Self.isLiveDirectory(directory)
    for entry in entries {
      let path = Self.join(directory, entry.name)
      switch WALFile.classify(fileName: entry.name) {
      case .segment(let segment, let partial, let compressed):
        let location = WALLocation(file: path, segment: segment)
        var type = entry.type
        if type == nil {
          switch Syscalls.status(of: path) {
          case .failure(let error):
            problems.append(WALProblem(.unreadableFile, "cannot read: \(error)", at: location))
            continue
          case .success(let status):
            type = status.type
          }
        }
        switch type! {
        case .regular:
          files.append(WALFile(path: path, name: segment, isPartial: partial, isCompressedByName: compressed,
                               isInLiveDirectory: live))
        case .directory:
          problems.append(WALProblem(.unexpectedFile, "expected a segment file, found a directory; not read", at: location))
        case .other(let what):
          problems.append(WALProblem(.unexpectedFile, "expected a segment file, found \(what); not read", at: location))
        case .symbolicLink:
          problems.append(WALProblem(.unexpectedFile, "expected a segment file, found a symbolic link that stat does not follow", at: location))
        }
      case .timelineHistory, .backupHistory, .other:
        if live && (entry.name == "archive_status" || entry.name == "summaries") { continue }
        otherFiles.append(path)
      }
    }
  }
}
