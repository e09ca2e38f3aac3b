import Synchronization

/// Reusable page-aligned buffers for segment reads, so that reading a file faults in no new
/// memory once the pool is warm. Holds a few buffers per size, so memory stays flat.
final class BufferPool: Sendable {
  static let shared = BufferPool()

  /// A buffer handed between threads; only one owner uses it at a time.
  struct Buffer: @unchecked Sendable {
    let memory: UnsafeMutableRawBufferPointer
  }

  private let free = Mutex<[Int: [Buffer]]>([:])
  /// Buffers kept per size: enough for every worker's segment and the next one.
  private let keep = max(4, 2 * Syscalls.processorCount + 2)

  /// A buffer of exactly `count` bytes (at least one), reused when one is free.
  func take(_ count: Int) -> UnsafeMutableRawBufferPointer {
    let size = max(count, 1)
    if let reused = free.withLock({ $0[size]?.popLast() }) { return reused.memory }
    return .allocate(byteCount: size, alignment: 4096)
  }

  /// Gives a buffer back; it is freed when the pool already holds enough of its size.
  func give(_ memory: UnsafeMutableRawBufferPointer) {
    let kept = free.withLock { pool -> Bool in
      guard pool[memory.count, default: []].count < keep else { return false }
      pool[memory.count, default: []].append(Buffer(memory: memory))
      return true
    }
    if !kept { memory.deallocate() }
  }
}
