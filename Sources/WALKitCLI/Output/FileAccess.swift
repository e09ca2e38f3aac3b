#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a file can be opened for reading, without reading it.
enum FileAccess {
  /// Why `path` cannot be opened for reading; `nil` when it can.
  static func cannotRead(_ path: String) -> String? {
    let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard descriptor < 0 else {
      close(descriptor)
      return nil
    }
    return String(cString: strerror(errno))
  }
}
