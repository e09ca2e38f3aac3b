#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The only file in WALKit that talks to the C library: open, stat, map and list, read-only.
@usableFromInline package enum Syscalls {
  package enum FileType: Sendable { case regular, directory, symbolicLink, other(String) }

  package struct FileStatus: Sendable {
    package var type: FileType
    package var size: UInt64

    package init(type: FileType, size: UInt64) {
      self.type = type
      self.size = size
    }

    package var isDirectory: Bool { if case .directory = type { true } else { false } }
    package var isRegularFile: Bool { if case .regular = type { true } else { false } }
  }

  static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

  /// `stat` (following links) or `lstat`; the error text on failure.
  package static func status(of path: String, followLinks: Bool = true) -> Result<FileStatus, SyscallError> {
    var info = stat()
    let rc = followLinks ? stat(path, &info) : lstat(path, &info)
    guard rc == 0 else { return .failure(SyscallError(code: errno)) }
    return .success(fileStatus(info))
  }

  static func fileStatus(_ info: stat) -> FileStatus {
    let type: FileType
    switch info.st_mode & S_IFMT {
    case S_IFREG: type = .regular
    case S_IFDIR: type = .directory
    case S_IFLNK: type = .symbolicLink
    case S_IFIFO: type = .other("a FIFO")
    case S_IFCHR: type = .other("a character device")
    case S_IFBLK: type = .other("a block device")
    case S_IFSOCK: type = .other("a socket")
    default: type = .other("not a regular file")
    }
    return FileStatus(type: type, size: UInt64(max(0, info.st_size)))
  }

  /// Whether `path` names a directory (following links).
  package static func isDirectory(_ path: String) -> Bool { (try? status(of: path).get())?.isDirectory ?? false }

  /// Whether `path` names a regular file (following links).
  package static func isRegularFile(_ path: String) -> Bool { (try? status(of: path).get())?.isRegularFile ?? false }

  /// Opens read-only without blocking (a FIFO would otherwise wait for a writer) and returns
  /// the descriptor with the status of what was opened.
  package static func openReadOnly(_ path: String) -> Result<(Int32, FileStatus), SyscallError> {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    guard fd >= 0 else { return .failure(SyscallError(code: errno)) }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      let code = errno
      close(fd)
      return .failure(SyscallError(code: code))
    }
    return .success((fd, fileStatus(info)))
  }

  package static func closeFile(_ fd: Int32) { close(fd) }

  /// The size of the open file `fd` now; `nil` when it cannot be had.
  package static func size(ofOpen fd: Int32) -> UInt64? {
    var info = stat()
    guard fstat(fd, &info) == 0 else { return nil }
    return UInt64(clamping: info.st_size)
  }

  /// Fills `buffer` from the file at `offset`; fewer bytes only at the end of the file.
  package static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Result<Int, SyscallError> {
    var done = 0
    while done < buffer.count {
      let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
      if n < 0 {
        if errno == EINTR { continue }
        return .failure(SyscallError(code: errno))
      }
      if n == 0 { break }
      done += n
    }
    return .success(done)
  }

  /// A directory entry: its name, and its type when the directory listing tells it without a
  /// `stat` (`nil` for links and file systems that do not say).
  package struct DirectoryEntry: Sendable {
    package var name: String
    package var type: FileType?
  }

  /// The entries of a directory, without `.` and `..`.
  package static func directoryEntries(_ path: String) -> Result<[DirectoryEntry], SyscallError> {
    guard let dir = opendir(path) else { return .failure(SyscallError(code: errno)) }
    defer { closedir(dir) }
    var entries: [DirectoryEntry] = []
    // A dirent is only as long as its name: read the fields in place, never the whole struct.
    let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
    let typeOffset = MemoryLayout<dirent>.offset(of: \dirent.d_type)!
    while let entry = readdir(dir) {
      let raw = UnsafeRawPointer(entry)
      let name = String(cString: raw.advanced(by: nameOffset).assumingMemoryBound(to: CChar.self))
      let entryType = raw.load(fromByteOffset: typeOffset, as: UInt8.self)
      guard name != "." && name != ".." else { continue }
      let type: FileType?
      switch Int32(entryType) {
      case Int32(DT_REG): type = .regular
      case Int32(DT_DIR): type = .directory
      case Int32(DT_FIFO): type = .other("a FIFO")
      case Int32(DT_CHR): type = .other("a character device")
      case Int32(DT_BLK): type = .other("a block device")
      case Int32(DT_SOCK): type = .other("a socket")
      default: type = nil
      }
      entries.append(DirectoryEntry(name: name, type: type))
    }
    return .success(entries)
  }

  /// `realloc`: a block of `count` bytes holding what `block` held (a new block for `nil`).
  /// Stops the process when memory is exhausted, as every Swift allocation does.
  @inlinable
  static func reallocate(_ block: UnsafeMutableRawPointer?, to count: Int) -> UnsafeMutableRawPointer {
    guard let grown = realloc(block, count) else { fatalError("out of memory growing a buffer to \(count) bytes") }
    return grown
  }

  static func release(_ block: UnsafeMutableRawPointer) { free(block) }

  package static var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

  /// Bytes of physical memory (0 when the system does not say).
  package static var physicalMemory: UInt64 {
    let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
    guard pages > 0, size > 0 else { return 0 }
    let (bytes, overflow) = UInt64(pages).multipliedReportingOverflow(by: UInt64(size))
    return overflow ? .max : bytes
  }

  /// Nanoseconds of a clock that only moves forward (since an arbitrary start).
  package static var monotonicNanoseconds: UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
  }

  /// Nanoseconds of processor time the calling thread has used, in the kernel (its copies and
  /// page faults) as well as in the program.
  package static var threadCPUNanoseconds: UInt64 {
    var used = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &used)
    return UInt64(used.tv_sec) &* 1_000_000_000 &+ UInt64(used.tv_nsec)
  }

  /// An identifier of the calling thread.
  package static var threadID: UInt { UInt(bitPattern: Int(bitPattern: UInt(pthread_self()))) }

  /// Sleeps the calling thread.
  package static func sleep(milliseconds: Int) {
    var wanted = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
    var left = timespec()
    while nanosleep(&wanted, &left) != 0 && errno == EINTR { wanted = left }
  }

  /// Runs `body` on a new thread of its own (for work that waits on the network, which would
  /// hold one of Dispatch's per-core threads).
  package static func startThread(_ body: @escaping @Sendable () -> Void) {
    final class Box { let body: @Sendable () -> Void; init(_ body: @escaping @Sendable () -> Void) { self.body = body } }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { raw in
      Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
      return nil
    }, context)
    guard rc == 0 else {
      Unmanaged<Box>.fromOpaque(context).takeRetainedValue().body()
      return
    }
    pthread_detach(thread)
  }

  /// The value of an environment variable.
  package static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

  /// Every environment variable.
  package static var environment: [String: String] {
    var result: [String: String] = [:]
    var entry = environ
    while let pointer = entry.pointee {
      let text = String(cString: pointer)
      if let equals = text.firstIndex(of: "=") { result[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
      entry += 1
    }
    return result
  }
}

/// An `errno` from a failed call.
package struct SyscallError: Error, Sendable, CustomStringConvertible {
  var code: Int32
  package var description: String { Syscalls.errorText(code) }
  /// Nothing is at the path (`ENOENT`).
  package var isNotFound: Bool { code == ENOENT }
}

/// `memcmp`, for comparisons of large buffers.
package func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Int32 { memcmp(a, b, count) }
