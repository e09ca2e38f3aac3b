#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Writes a line to standard error.
func printError(_ text: String) {
  var line = text
  if !line.hasSuffix("\n") { line += "\n" }
  _ = line.withCString { fputs($0, stderr) }
}

/// A one-line progress counter on standard error, shown only when it is a terminal.
final class Progress: Sendable {
  private let label: String
  private let lastShown = Mutex<(count: Int, shown: Bool)>((0, false))

  private init(label: String) { self.label = label }

  static func forTerminal(label: String, enabled: Bool) -> Progress? {
    guard enabled, isatty(2) == 1 else { return nil }
    return Progress(label: label)
  }

  @Sendable func update(_ done: Int, _ total: Int) {
    lastShown.withLock { state in
      guard done > state.count, done == total || done - state.count >= max(1, total / 200) else { return }
      state.count = done
      state.shown = true
      _ = "\r\(label) \(done)/\(total) segments".withCString { fputs($0, stderr) }
    }
  }

  func finish() {
    lastShown.withLock { state in
      if state.shown { _ = "\r\u{1B}[K".withCString { fputs($0, stderr) } }
    }
  }
}
