#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Whether everything meant for standard output got there: a full disk or a closed file must
/// not end in exit status 0. (A closed pipe ends the process by SIGPIPE, quietly, as Unix tools
/// end.)
enum StandardOutput {
  private static let firstError = Atomic<Int32>(0)

  /// Notes a failed write of standard output (`errno`).
  static func failed(errno code: Int32) {
    _ = firstError.compareExchange(expected: 0, desired: code == 0 ? EIO : code, ordering: .relaxed)
  }

  /// Flushes standard output; the reason writing failed, if it did.
  static func finish() -> String? {
    if fflush(stdout) != 0 || ferror(stdout) != 0 { failed(errno: errno) }
    let code = firstError.load(ordering: .relaxed)
    return code == 0 ? nil : String(cString: strerror(code))
  }
}
