#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import WALKit

/// Whether a file can be opened for reading, without reading it.
enum FileAccess {
  /// Why `path` cannot be opened for reading; `nil` when it can.
  static func cannotRead(_ path: String) -> String? {
    if Storage.isRemote(path) {
      if case .failure(let error) = Storage.status(of: path) { return error.description }
      return nil
    }
    let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard descriptor < 0 else {
      close(descriptor)
      return nil
    }
    return String(cString: strerror(errno))
  }
}
