import Dispatch
import Synchronization
import WALCore

/// Runs `work` for indices `0..<count` on `workers` threads, each with its own `context`
/// (a scanner, say), and returns the results in index order.
package func parallelMap<Context, Result: Sendable>(
  count: Int, workers requested: Int, context makeContext: @Sendable () -> Context,
  _ work: @Sendable (Int, Context) -> Result?
) -> [Result?] {
  let slots = Slots<Result>(count: count)
  let next = Atomic<Int>(0)
  let workers = max(1, min(requested > 0 ? requested : Syscalls.processorCount, count))
  withExtendedLifetime(slots) {
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
      let context = makeContext()
      while true {
        let index = next.add(1, ordering: .relaxed).oldValue
        guard index < count else { break }
        if let result = work(index, context) { slots.store(result, at: index) }
      }
    }
  }
  return slots.collect()
}

/// One slot per index, each written once by whichever worker handled it, read after all
/// workers have finished.
private final class Slots<Element>: @unchecked Sendable {
  private let storage: UnsafeMutableBufferPointer<Element?>
  private let count: Int

  init(count: Int) {
    self.count = count
    storage = .allocate(capacity: max(count, 1))
    storage.initialize(repeating: nil)
  }

  deinit {
    storage.deinitialize()
    storage.deallocate()
  }

  func store(_ element: Element, at index: Int) { storage[index] = element }
  func collect() -> [Element?] { Array(storage.prefix(count)) }
}

/// Runs `work` for indices `0..<count` on `workers` threads and hands each result to `deliver`
/// on the calling thread, in index order, as soon as it and all before it are done, until
/// `deliver` returns false. At most `window` results are computed ahead of delivery, so memory
/// stays bounded however many indices there are.
package func orderedParallelMap<Context, Result: Sendable>(
  count: Int, workers requested: Int, context makeContext: @escaping @Sendable () -> Context,
  _ work: @escaping @Sendable (Int, Context) -> Result, deliver: (Int, Result) -> Bool
) {
  guard count > 0 else { return }
  let workers = max(1, min(requested > 0 ? requested : Syscalls.processorCount, count))
  let window = 2 * workers + 2
  let ring = Ring<Result>(capacity: window)
  // Created empty and filled: libdispatch traps when a semaphore is freed below its initial
  // value, as this one is when delivery stops early.
  let space = DispatchSemaphore(value: 0)
  for _ in 0..<window { space.signal() }
  let next = Atomic<Int>(0)
  let stopped = Atomic<Bool>(false)
  let group = DispatchGroup()
  for _ in 0..<workers {
    DispatchQueue.global().async(group: group) {
      let context = makeContext()
      while true {
        space.wait()
        let index = next.add(1, ordering: .relaxed).oldValue
        guard index < count, !stopped.load(ordering: .relaxed) else {
          space.signal()
          break
        }
        ring.store(work(index, context), at: index)
      }
    }
  }
  for index in 0..<count {
    let result = ring.take(at: index)
    space.signal()
    if !deliver(index, result) { break }
  }
  stopped.store(true, ordering: .relaxed)
  space.signal()
  group.wait()
}

/// Results in flight between workers and the delivering thread: slot `index % capacity`, each
/// with a semaphore that says it is filled.
private final class Ring<Element: Sendable>: @unchecked Sendable {
  private let slots: UnsafeMutableBufferPointer<Element?>
  private let filled: [DispatchSemaphore]

  init(capacity: Int) {
    slots = .allocate(capacity: capacity)
    slots.initialize(repeating: nil)
    filled = (0..<capacity).map { _ in DispatchSemaphore(value: 0) }
  }

  deinit {
    slots.deinitialize()
    slots.deallocate()
  }

  func store(_ element: Element, at index: Int) {
    slots[index % slots.count] = element
    filled[index % slots.count].signal()
  }

  func take(at index: Int) -> Element {
    filled[index % slots.count].wait()
    defer { slots[index % slots.count] = nil }
    return slots[index % slots.count]!
  }
}
