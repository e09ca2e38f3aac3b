import CWALSupport
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

  /// `largeBudget` defaults to a quarter of physical memory, at least 1 GiB.
  init(largeBudget: Int? = nil) {
    budget = keep * (17 << 20)
    self.largeBudget = largeBudget ?? max(1 << 30, Int(clamping: Syscalls.physicalMemory / 4))
  }

  /// Buffers above this size (a decompressed segment of 128 MiB to 1 GiB) are lent against
  /// ``largeBudget``: on many cores at once they would exhaust memory.
  static let largeSize = 64 << 20
  /// Bytes of large buffers out at once, unless one thread needs a second.
  private let largeBudget: Int
  private let largeLoans = Mutex<LargeLoans>(LargeLoans())

  /// A thread waiting for the budget takes its buffer anyway after this long without any large
  /// buffer coming back: the holders may be waiting for it (an ordered hand-over), and the
  /// budget is a bound on memory, not a reason to stop.
  static let largeWaitWithoutProgress: UInt64 = 5_000_000_000

  /// Large buffers out: their bytes, and which thread took each, so that a thread that holds
  /// one already (reading a record that continues into the next segment) is never made to
  /// wait for the others, which could be waiting for it; and when one last came back.
  private struct LargeLoans {
    var bytes = 0
    var takers: [UInt: UInt] = [:]
    var held: [UInt: Int] = [:]
    var lastReturn: UInt64 = 0
  }

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
    if let reused {
      walkit_unpoison(reused.memory.baseAddress, reused.memory.count)
      return reused.memory
    }
    return size > Self.largeSize ? takeLarge(size) : Self.allocate(size)
  }

  /// A new large buffer, lent to this thread: it waits while other threads hold the budget
  /// and give buffers back.
  private func takeLarge(_ size: Int) -> UnsafeMutableRawBufferPointer {
    let thread = Syscalls.threadID
    let start = Syscalls.monotonicNanoseconds
    while !largeLoans.withLock({ loans -> Bool in
      let stalled = Syscalls.monotonicNanoseconds - max(start, loans.lastReturn) > Self.largeWaitWithoutProgress
      guard loans.bytes == 0 || loans.bytes + size <= largeBudget || loans.held[thread, default: 0] > 0 || stalled else {
        return false
      }
      loans.bytes += size
      loans.held[thread, default: 0] += 1
      return true
    }) {
      Syscalls.sleep(milliseconds: 2)
    }
    let memory = Self.allocate(size)
    let address = UInt(bitPattern: memory.baseAddress!)
    largeLoans.withLock { $0.takers[address] = thread }
    return memory
  }

  /// Gives a buffer back; it is freed when the pool already holds enough of its class, or
  /// enough bytes in all.
  func give(_ memory: UnsafeMutableRawBufferPointer) {
    if memory.count > Self.largeSize {
      let address = UInt(bitPattern: memory.baseAddress!), count = memory.count
      let now = Syscalls.monotonicNanoseconds
      largeLoans.withLock { loans in
        loans.bytes -= count
        loans.lastReturn = now
        if let thread = loans.takers.removeValue(forKey: address) {
          loans.held[thread, default: 1] -= 1
          if loans.held[thread] == 0 { loans.held[thread] = nil }
        }
      }
      Self.release(memory)
      return
    }
    // Poisoned before it is in the pool, where another thread may take it at once.
    walkit_poison(memory.baseAddress, memory.count)
    let kept = free.withLock { kept -> Bool in
      guard kept.buffers[memory.count, default: []].count < keep, kept.bytes + memory.count <= budget else { return false }
      kept.buffers[memory.count, default: []].append(Buffer(memory: memory))
      kept.bytes += memory.count
      return true
    }
    if !kept { Self.release(memory) }
  }

  /// Buffers from this size up are mappings of their own, 2 MiB-aligned and backed by huge
  /// pages where the kernel allows: a segment read into a new 4 kB-paged buffer pays 4,096
  /// page faults, more than reading and checking it (a run that reads one segment pays them all).
  static let hugePageSize = 2 << 20

  private static func allocate(_ size: Int) -> UnsafeMutableRawBufferPointer {
    guard size >= hugePageSize else { return .allocate(byteCount: size, alignment: 4096) }
    guard let base = walkit_large_buffer_allocate(size) else { fatalError("out of memory allocating a buffer of \(size) bytes") }
    return UnsafeMutableRawBufferPointer(start: base, count: size)
  }

  private static func release(_ memory: UnsafeMutableRawBufferPointer) {
    // A later mapping at the same address must not inherit the marks.
    walkit_unpoison(memory.baseAddress, memory.count)
    guard memory.count >= hugePageSize else { return memory.deallocate() }
    walkit_large_buffer_release(memory.baseAddress, memory.count)
  }

  static func sizeClass(_ count: Int) -> Int {
    let size = max(count, 1)
    guard size > 1 << 20 else { return 1 << (Int.bitWidth - (size - 1).leadingZeroBitCount) }
    return (size + (1 << 20) - 1) & ~((1 << 20) - 1)
  }
}
