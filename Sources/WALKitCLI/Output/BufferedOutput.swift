#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output through one large buffer: record listings print millions of lines.
final class BufferedOutput {
  private var buffer: [UInt8] = []
  private let capacity = 1 << 20

  init() { buffer.reserveCapacity(capacity + 4096) }

  func write(_ text: String) {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= capacity { flush() }
  }

  func write(_ bytes: [UInt8]) {
    if buffer.isEmpty && bytes.count >= capacity {
      writeOut(bytes)
      return
    }
    buffer.append(contentsOf: bytes)
    if buffer.count >= capacity { flush() }
  }


  func flush() {
    writeOut(buffer)
    buffer.removeAll(keepingCapacity: true)
  }

  private func writeOut(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { bytes in
      var done = 0
      while done < bytes.count {
        let written = Glibc.write(1, bytes.baseAddress! + done, bytes.count - done)
        if written <= 0 { break }
        done += written
      }
    }
  }
}
