import Dispatch
import Synchronization
import WALCore

/// Reads objects ahead of the workers that scan them: a bounded number of GETs in flight, in
/// the order the files will be read, so that the network's latency is paid once per window,
/// not once per object. Memory stays flat: nothing is fetched more than `window` objects
/// ahead of the furthest one asked for, and what is passed by is let go.
package final class RemoteReadAhead: Sendable {
  private let paths: [String]
  private let indexByPath: [String: Int]
  private let window: Int
  private let state = Mutex(State())
  private let running = DispatchGroup()

  private struct State {
    var next = 0
    /// The furthest index asked for.
    var frontier = 0
    var slots: [Int: Slot] = [:]
    /// Slots taken by their readers, still waited for: a peek may copy from them until then.
    var taken: [Int: Slot] = [:]
    /// Indices asked for before any fetcher reached them: their readers fetch them themselves.
    var claimed: Set<Int> = []
    var finished = false
  }

  /// One object being fetched or fetched: its reader waits on `ready`, then for the peeks
  /// copying from it (`peeking`); once it is handed over, no peek starts.
  private final class Slot: @unchecked Sendable {
    let ready = DispatchSemaphore(value: 0)
    let peeking = DispatchGroup()
    var result: Result<RemoteFetch, WALProblem>?
    var handedOver = false

    /// Gives the fetched buffer back once the peeks begun before the hand-over have copied it.
    func release() {
      peeking.wait()
      if case .success(let fetch)? = result { fetch.release() }
    }
  }

  private static let current = Mutex<RemoteReadAhead?>(nil)

  private init(paths: [String], window: Int) {
    self.paths = paths
    var index: [String: Int] = [:]
    for (position, path) in paths.enumerated() where index[path] == nil { index[path] = position }
    indexByPath = index
    self.window = window
  }

  /// Runs `body` with the `s3://` objects among `paths` read ahead, in that order, by as many
  /// threads as the configuration's concurrency (`WALKIT_S3_CONCURRENCY`).
  package static func around<T>(_ paths: [String], _ body: () -> T) -> T {
    let remote = paths.filter(Storage.isRemote)
    guard !remote.isEmpty, let store = try? RemoteStore.shared() else { return body() }
    let readAhead = RemoteReadAhead(paths: remote, window: store.client.configuration.concurrency)
    let installed = current.withLock { current -> Bool in
      guard current == nil else { return false }
      current = readAhead
      return true
    }
    guard installed else { return body() }
    readAhead.start()
    defer {
      current.withLock { $0 = nil }
      readAhead.finish()
    }
    return body()
  }

  /// The fetched object at `path`, waiting for it while it is in flight; `nil` when it is not
  /// read ahead (the caller fetches it).
  static func take(_ path: String) -> Result<RemoteFetch, WALProblem>? {
    current.withLock { $0 }?.take(path)
  }

  /// A copy of the first `count` bytes (all with `nil`) of the object at `path` when it has
  /// already been read ahead, leaving it for its reader: the start of the next segment that a
  /// record continues into needs no request of its own.
  static func peek(_ path: String, count: Int?) -> RemoteFetch? {
    current.withLock { $0 }?.peek(path, count: count)
  }

  private func peek(_ path: String, count: Int?) -> RemoteFetch? {
    guard let index = indexByPath[path] else { return nil }
    // An object in flight is waited for rather than fetched again: a second GET could see it
    // rewritten after the first, and the two reads of one object would disagree.
    let slot = state.withLock { state -> Slot? in
      guard let slot = state.slots[index] ?? state.taken[index], !slot.handedOver else { return nil }
      slot.peeking.enter()
      return slot
    }
    guard let slot else { return nil }
    defer { slot.peeking.leave() }
    slot.ready.wait()
    slot.ready.signal()
    guard case .success(let fetched)? = slot.result else { return nil }
    let length = min(count ?? fetched.count, fetched.count)
    let buffer = BufferPool.shared.take(max(length, 1))
    if length > 0 {
      buffer.baseAddress!.copyMemory(from: fetched.buffer.baseAddress!, byteCount: length)
    }
    return RemoteFetch(buffer: buffer, count: length, object: fetched.object, isWhole: length == fetched.count)
  }

  private func take(_ path: String) -> Result<RemoteFetch, WALProblem>? {
    guard let index = indexByPath[path] else { return nil }
    var passed: [Slot] = []
    let slot = state.withLock { state -> Slot? in
      state.frontier = max(state.frontier, index)
      for (stale, slot) in state.slots where stale + 2 * window < state.frontier && slot.result != nil {
        passed.append(slot)
        slot.handedOver = true
        state.slots[stale] = nil
      }
      if let slot = state.slots.removeValue(forKey: index) {
        state.taken[index] = slot
        return slot
      }
      if index >= state.next { state.claimed.insert(index) }
      return nil
    }
    for stale in passed { stale.release() }
    guard let slot else { return nil }
    slot.ready.wait()
    // For a peek waiting too: whoever wakes first passes the signal on.
    slot.ready.signal()
    state.withLock { state in
      slot.handedOver = true
      state.taken[index] = nil
    }
    slot.peeking.wait()
    return slot.result
  }

  private func start() {
    for _ in 0..<min(window, paths.count) {
      running.enter()
      Syscalls.startThread { [self] in
        fetchLoop()
        running.leave()
      }
    }
  }

  private func fetchLoop() {
    while true {
      enum Next { case fetch(Int, Slot), wait, stop }
      let next = state.withLock { state -> Next in
        while state.claimed.remove(state.next) != nil { state.next += 1 }
        guard !state.finished, state.next < paths.count else { return .stop }
        guard state.next <= state.frontier + window else { return .wait }
        let slot = Slot()
        state.slots[state.next] = slot
        state.next += 1
        return .fetch(state.next - 1, slot)
      }
      switch next {
      case .stop: return
      case .wait: Syscalls.sleep(milliseconds: 2)
      case .fetch(let index, let slot):
        let result: Result<RemoteFetch, WALProblem>
        do throws(WALProblem) { result = .success(try RemoteFetch.fetch(paths[index])) } catch { result = .failure(error) }
        state.withLock { _ in slot.result = result }
        slot.ready.signal()
      }
    }
  }

  /// Stops the fetchers, waits for them, and lets go of what nobody took.
  private func finish() {
    state.withLock { $0.finished = true }
    running.wait()
    let left = state.withLock { state -> [Slot] in
      defer { state.slots = [:] }
      for slot in state.slots.values { slot.handedOver = true }
      return Array(state.slots.values)
    }
    for slot in left { slot.release() }
  }
}
