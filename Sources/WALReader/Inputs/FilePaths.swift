import WALCore

/// Paths and directory listings as the input listing needs them.
enum FilePaths {
  /// The last component of `path`, trailing slashes ignored.
  static func baseName(_ path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    return String(trimmed.split(separator: "/").last ?? trimmed)
  }

  /// The directory holding `path`.
  static func parent(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// A pg_wal: a directory with `archive_status/`.
  static func isLiveDirectory(_ directory: String) -> Bool { Syscalls.isDirectory(join(directory, "archive_status")) }

  static func isRegularFile(_ path: String) -> Bool {
    if case .success(let status) = Syscalls.status(of: path), case .regular = status.type { return true }
    return false
  }

  static func join(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
  }

  /// The entries of `directory`, sorted by name.
  static func entries(of directory: String) throws(WALInputsError) -> [Syscalls.DirectoryEntry] {
    switch Syscalls.directoryEntries(directory) {
    case .failure(let error): throw WALInputsError(path: directory, reason: "cannot list directory: \(error)")
    case .success(let listed): return listed.sorted { $0.name < $1.name }
    }
  }
}
