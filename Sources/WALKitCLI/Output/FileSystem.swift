#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import WALKit

/// Whether `path` names an existing file, directory or other entry (not following links).
func exists(_ path: String) -> Bool {
  var info = stat()
  return lstat(path, &info) == 0
}

/// Whether the directory `path` can be listed and holds nothing but `.` and `..`.
func isEmptyDirectory(_ path: String) -> Bool {
  guard let directory = opendir(path) else { return false }
  defer { closedir(directory) }
  let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
  while let entry = readdir(directory) {
    let name = String(cString: UnsafeRawPointer(entry).advanced(by: nameOffset).assumingMemoryBound(to: CChar.self))
    if name != "." && name != ".." { return false }
  }
  return true
}

/// A failed file-system call: what was being done, to which path, and the system's reason.
struct FileSystemError: Error, CustomStringConvertible {
  var action: String
  var path: String
  var code: Int32
  var description: String { "cannot \(action) \(path): \(String(cString: strerror(code)))" }
}

/// Creates the directory `path` and any missing parents (mode 0755 before the umask).
func makeDirectories(_ path: String) throws(FileSystemError) {
  var prefix = path.hasPrefix("/") ? "/" : ""
  for component in path.split(separator: "/") {
    prefix += component
    if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw FileSystemError(action: "create directory", path: prefix, code: errno) }
    prefix += "/"
  }
  guard Syscalls.isDirectory(path) else { throw FileSystemError(action: "create directory", path: path, code: ENOTDIR) }
}

/// Writes `bytes` to a new file at `path` (mode 0644 before the umask); an existing file or
/// link of that name is an error, never overwritten.
func writeNewFile(_ path: String, _ bytes: [UInt8]) throws(FileSystemError) {
  let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
  guard fd >= 0 else { throw FileSystemError(action: "create", path: path, code: errno) }
  var written = 0
  while written < bytes.count {
    let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
    if count < 0 && errno == EINTR { continue }
    guard count > 0 else {
      let code = count < 0 ? errno : EIO
      close(fd)
      throw FileSystemError(action: "write", path: path, code: code)
    }
    written += count
  }
  guard close(fd) == 0 else { throw FileSystemError(action: "write", path: path, code: errno) }
}
