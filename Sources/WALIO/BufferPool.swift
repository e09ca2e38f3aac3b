import Synchronization
import WALCore

/// Reusable page-aligned buffers for segment reads, so that reading a file faults in no new
/// memory once the pool is warm. Holds a few buffers per size, so memory stays flat.
final class BufferPool: Sendable {
  static let shared = BufferPool()

  /// A buffer handed between threads; only one owner uses it at a time.
  struct Buffer: @unchecked Sendable {
    let memory: UnsafeMutableRawBufferPointer
  }

  private let free = Mutex<Kept>(Kept())
  /// Buffers kept per size class: enough for every worker's segment and the next one.
  private let keep = max(4, 2 * Syscalls.processorCount + 2)
  /// Bytes kept in all: as many 16 MiB segments and their decompression buffers as `keep`.
  private let budget: Int

  private struct Kept {
    var buffers: [Int: [Buffer]] = [:]
    var bytes = 0
  }

  init() { budget = keep * (17 << 20) }

  /// A buffer of at least `count` bytes (at least one), reused when one is free. Sizes are
  /// rounded up to a class — a power of two below 1 MiB, a whole number of MiB above — so that
  /// compressed files of a thousand sizes share a few classes.
  func take(_ count: Int) -> UnsafeMutableRawBufferPointer {
    let size = Self.sizeClass(count)
    let reused = free.withLock { kept -> Buffer? in
      guard let buffer = kept.buffers[size]?.popLast() else { return nil }
      kept.bytes -= size
      return buffer
    }
    return reused?.memory ?? .allocate(byteCount: size, alignment: 4096)
  }

  /// Gives a buffer back; it is freed when the pool already holds enough of its class, or
  /// enough bytes in all.
  func give(_ memory: UnsafeMutableRawBufferPointer) {
    let kept = free.withLock { kept -> Bool in
      guard kept.buffers[memory.count, default: []].count < keep, kept.bytes + memory.count <= budget else { return false }
      kept.buffers[memory.count, default: []].append(Buffer(memory: memory))
      kept.bytes += memory.count
      return true
    }
    if !kept { memory.deallocate() }
  }

  static func sizeClass(_ count: Int) -> Int {
    let size = max(count, 1)
    guard size > 1 << 20 else { return 1 << (Int.bitWidth - (size - 1).leadingZeroBitCount) }
    return (size + (1 << 20) - 1) & ~((1 << 20) - 1)
  }
}
