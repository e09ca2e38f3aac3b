import WALCore

/// Paths and directory listings as the input listing needs them.
package enum FilePaths {
  /// The last component of `path`, trailing slashes ignored.
  package static func baseName(_ path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    return String(trimmed.split(separator: "/").last ?? trimmed)
  }

  /// The directory holding `path`.
  package static func parent(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// A pg_wal: a directory with `archive_status/`.
  package static func isLiveDirectory(_ directory: String) -> Bool { Syscalls.isDirectory(join(directory, "archive_status")) }

  package static func join(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
  }

  /// The entries of `directory`, sorted by name.
  package static func entries(of directory: String) throws(WALInputsError) -> [Syscalls.DirectoryEntry] {
    switch Syscalls.directoryEntries(directory) {
    case .failure(let error): throw WALInputsError(path: directory, reason: "cannot list directory: \(error)")
    case .success(let listed): return listed.sorted { $0.name < $1.name }
    }
  }
}
