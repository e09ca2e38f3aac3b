import WALCore
import WALIO

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

  /// Where the timeline history files of a segment's WAL lie: beside it, or one level up when it
  /// lies in a `<16 hex>` directory (pgBackRest's archive id and Barman's `wals/` keep them there).
  package static func historyDirectory(ofSegmentAt path: String) -> String {
    let directory = parent(path)
    return isSegmentDirectory(baseName(directory)) ? parent(directory) : directory
  }

  /// `<timeline><log>` in hex: the directory pgBackRest and Barman keep a timeline's segments of
  /// one log in.
  package static func isSegmentDirectory(_ name: String) -> Bool {
    name.utf8.count == 16 && SegmentName.hex32(Array(name.utf8)[0..<8]) != nil && SegmentName.hex32(Array(name.utf8)[8..<16]) != nil
  }

  /// A pg_wal: a directory with `archive_status/`.
  package static func isLiveDirectory(_ directory: String) -> Bool {
    !Storage.isRemote(directory) && Syscalls.isDirectory(join(directory, "archive_status"))
  }

  package static func join(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
  }

  /// The first `limit` bytes of a small file read whole (a control file, a slot's state), as
  /// they are on disk: never decompressed.
  package static func contents(of path: String, limit: Int) -> Result<[UInt8], SyscallError> {
    switch Syscalls.openReadOnly(path) {
    case .failure(let error): return .failure(error)
    case .success(let (descriptor, _)):
      defer { Syscalls.closeFile(descriptor) }
      var bytes = [UInt8](repeating: 0, count: limit)
      let read = bytes.withUnsafeMutableBytes { Syscalls.read(descriptor, into: $0, at: 0) }
      return read.map { count in Array(bytes.prefix(count)) }
    }
  }

  /// The entries of `directory`, sorted by name.
  package static func entries(of directory: String) throws(WALInputsError) -> [Storage.Entry] {
    switch Storage.entries(of: directory) {
    case .failure(let error): throw WALInputsError(path: directory, reason: "cannot list directory: \(error)")
    case .success(let listed): return listed
    }
  }
}
