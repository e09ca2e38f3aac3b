import WALCore
import WALIO

/// Reads a backup tool's small bookkeeping file (`archive.info`, `xlog.db`) whole.
enum CatalogFile {
  /// The bytes of `path`, refusing anything but a regular file of at most `limit` bytes.
  static func bytes(_ path: String, limit: UInt64 = 256 << 20) throws(WALProblem) -> [UInt8] {
    let location = WALLocation(file: path)
    if Storage.isRemote(path) {
      switch Storage.contents(of: path, limit: limit) {
      case .success(let bytes): return bytes
      case .failure(let error): throw WALProblem(.unreadableFile, "cannot read: \(error)", at: location)
      }
    }
    let fd: Int32
    let status: Syscalls.FileStatus
    switch Syscalls.openReadOnly(path) {
    case .failure(let error): throw WALProblem(.unreadableFile, "cannot open: \(error)", at: location)
    case .success(let opened): (fd, status) = opened
    }
    defer { Syscalls.closeFile(fd) }
    guard case .regular = status.type else {
      throw WALProblem(.unexpectedFile, "expected a regular file; not read", at: location)
    }
    guard status.size <= limit else {
      throw WALProblem(.unexpectedFile, "\(status.size) bytes, more than the \(limit) a catalogue file may have; not read", at: location)
    }
    var bytes = [UInt8](repeating: 0, count: Int(status.size))
    let count: Int
    switch bytes.withUnsafeMutableBytes({ Syscalls.read(fd, into: $0, at: 0) }) {
    case .failure(let error): throw WALProblem(.unreadableFile, "cannot read: \(error)", at: location)
    case .success(let read): count = read
    }
    return Array(bytes.prefix(count))
  }
}
