import Dispatch
import Synchronization

/// Runs `work` for indices `0..<count` on `workers` threads, each with its own `context`
/// (a scanner, say), and returns the results in index order.
func parallelMap<Context, Result: Sendable>(
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
