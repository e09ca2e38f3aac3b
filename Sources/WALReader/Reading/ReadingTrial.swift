import Synchronization
import WALCore
import WALIO

/// Chooses how a run over many plain segments brings each into memory, streamed (read a piece
/// at a time into a buffer, the kernel copying each piece) or mapped (the page cache's own
/// pages), by timing both on the run's first segments: which is faster depends on the machine.
/// Where copying runs near memory's speed, streaming wins by the page faults and unmapping it
/// spares; where a core copies slowly, mapping wins by the copy it spares (docs/benchmarks.md
/// has both). The verdicts do not depend on the choice, only the time.
final class ReadingTrial: Sendable {
  /// Files read streamed before any is timed: their first reads allocate the workers' buffers.
  private let warmUp: Int
  /// Files timed with each way.
  static let timedPerWay = 3
  /// How much faster mapping must be to be chosen: streaming is what a file truncated while
  /// read meets more gracefully, and the way most machines measured so far.
  static let mappingMargin = 0.95
  /// Runs with fewer plain segments than this stream them all, untimed.
  static let shortestRun = 32

  private struct State {
    var handedOut = 0
    var fastest: [UInt64] = [.max, .max]
    var timed = [0, 0]
    var chosen: SegmentData.Access?
  }
  private let state = Mutex(State())

  /// A trial for `plainFiles` plain local segments read by `workers` threads; `nil` when the run
  /// is too short for one to pay.
  /// `WALKIT_READING=streamed` or `mapped` names the way instead, for benchmarks.
  init?(plainFiles: Int, workers: Int) {
    warmUp = workers
    switch Syscalls.environment("WALKIT_READING") {
    case "streamed": state.withLock { $0.chosen = .streamed }
    case "mapped": state.withLock { $0.chosen = .mapped }
    default: guard plainFiles >= Self.shortestRun else { return nil }
    }
  }

  /// How to read the next plain segment, and whether its reading is to be timed.
  func nextAccess() -> (access: SegmentData.Access, isTimed: Bool) {
    state.withLock { state in
      if let chosen = state.chosen { return (chosen, false) }
      let position = state.handedOut
      state.handedOut += 1
      let trial = position - warmUp
      guard trial >= 0, trial < 2 * Self.timedPerWay else { return (.streamed, false) }
      return (trial.isMultiple(of: 2) ? .streamed : .mapped, true)
    }
  }

  /// Notes that reading a segment with `access` took `nanoseconds` of its thread's time.
  func record(_ access: SegmentData.Access, nanoseconds: UInt64) {
    state.withLock { state in
      let way = access == .mapped ? 1 : 0
      state.fastest[way] = min(state.fastest[way], nanoseconds)
      state.timed[way] += 1
      guard state.chosen == nil, state.timed.allSatisfy({ $0 >= Self.timedPerWay }) else { return }
      let mappingIsFaster = Double(state.fastest[1]) < Double(state.fastest[0]) * Self.mappingMargin
      state.chosen = mappingIsFaster ? .mapped : .streamed
    }
  }

  /// The way chosen, once the trial is over.
  var chosen: SegmentData.Access? { state.withLock { $0.chosen } }
}
