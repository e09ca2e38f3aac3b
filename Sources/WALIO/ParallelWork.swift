import Dispatch
import Synchronization
import WALCore

/// Runs `work` for indices `0..<count` on `workers` threads, each with its own `context`
/// (a scanner, say), and returns the results in index order. Each result is made in its place
/// in the array returned: a result is never copied, so a run over many files holds one array.
package func parallelMap<Context, Result: Sendable>(
  count: Int, workers requested: Int, context makeContext: @Sendable () -> Context,
  _ work: @Sendable (Int, Context) -> Result
) -> [Result] {
  let next = Atomic<Int>(0)
  let workers = max(1, min(requested > 0 ? requested : Syscalls.processorCount, count))
  return [Result](unsafeUninitializedCapacity: count) { buffer, initializedCount in
    let slots = Slots(buffer)
    DispatchQueue.concurrentPerform(iterations: count == 0 ? 0 : workers) { _ in
      let context = makeContext()
      while true {
        let index = next.add(1, ordering: .relaxed).oldValue
        guard index < count else { break }
        slots.initialize(index, to: work(index, context))
      }
    }
    initializedCount = count
  }
}

/// The result array's uninitialized storage, one slot per index, each initialized once by
/// whichever worker took that index.
private struct Slots<Element>: @unchecked Sendable {
  let base: UnsafeMutablePointer<Element>?
  init(_ buffer: UnsafeMutableBufferPointer<Element>) { base = buffer.baseAddress }
  func initialize(_ index: Int, to element: Element) { (base! + index).initialize(to: element) }
}

/// Runs `work` for indices `0..<count` on `workers` threads and hands each result to `deliver`
/// on the calling thread, in index order, as soon as it and all before it are done, until
/// `deliver` returns false. `work` may hand on parts of its result early through its third
/// argument: they reach `deliver` in order, before its final result (`isFinal` false), so
/// that a large result need not be held whole. At most `window` indices are worked on ahead
/// of delivery, so memory stays bounded however many indices there are.
package func orderedParallelMap<Context, Result: Sendable>(
  count: Int, workers requested: Int, context makeContext: @escaping @Sendable () -> Context,
  _ work: @escaping @Sendable (Int, Context, _ handOn: @escaping (Result) -> Void) -> Result,
  deliver: (_ index: Int, Result, _ isFinal: Bool) -> Bool
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
        let result = work(index, context) { early in ring.store(early, at: index, isFinal: false) }
        ring.store(result, at: index, isFinal: true)
      }
    }
  }
  delivering: for index in 0..<count {
    while true {
      let (result, isFinal) = ring.take(at: index)
      if isFinal { space.signal() }
      if !deliver(index, result, isFinal) { break delivering }
      if isFinal { break }
    }
  }
  stopped.store(true, ordering: .relaxed)
  space.signal()
  group.wait()
}

/// Results in flight between workers and the delivering thread: slot `index % capacity`
/// queues an index's early parts and final result, with a semaphore that counts them.
private final class Ring<Element: Sendable>: Sendable {
  private let slots: Mutex<[[(element: Element, isFinal: Bool)]]>
  private let filled: [DispatchSemaphore]

  init(capacity: Int) {
    slots = Mutex(Array(repeating: [], count: capacity))
    filled = (0..<capacity).map { _ in DispatchSemaphore(value: 0) }
  }

  func store(_ element: Element, at index: Int, isFinal: Bool) {
    slots.withLock { queues in queues[index % filled.count].append((element, isFinal)) }
    filled[index % filled.count].signal()
  }

  func take(at index: Int) -> (Element, isFinal: Bool) {
    filled[index % filled.count].wait()
    let slot = index % filled.count
    return slots.withLock { queues -> (Element, isFinal: Bool) in
      let (element, isFinal) = queues[slot].removeFirst()
      return (element, isFinal)
    }
  }
}

/// The worker threads that parallel work runs on.
public enum Workers {
  /// Starts them now, so that the first parallel step finds them running: another core's
  /// thread can take most of a millisecond to come when its virtual CPU sleeps, which a run
  /// over one segment (an `archive_command`'s check) notices. Call it before listing files.
  public static func wake() {
    DispatchQueue.global().async {}
  }
}
