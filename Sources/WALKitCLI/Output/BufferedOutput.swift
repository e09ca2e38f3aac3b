#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import WALKit

/// Standard output through one large buffer: record listings print millions of lines.
final class BufferedOutput {
  private let buffer = TextBuffer(capacity: capacity + 4096)
  private static let capacity = 1 << 20

  func write(_ text: String) {
    buffer.append(text)
    if buffer.count >= Self.capacity { flush() }
  }

  /// Writes what `text` holds; a large text goes out directly rather than through the buffer.
  func write(_ text: TextBuffer) {
    if text.count >= Self.capacity / 4 {
      flush()
      writeOut(text.bytes)
      return
    }
    buffer.append(text.bytes)
    if buffer.count >= Self.capacity { flush() }
  }

  func flush() {
    writeOut(buffer.bytes)
    buffer.removeAll()
  }

  private func writeOut(_ bytes: UnsafeRawBufferPointer) {
    var done = 0
    while done < bytes.count {
      let written = Glibc.write(1, bytes.baseAddress! + done, bytes.count - done)
      if written < 0 && errno == EINTR { continue }
      if written <= 0 {
        StandardOutput.failed(errno: errno)
        break
      }
      done += written
    }
  }
}
