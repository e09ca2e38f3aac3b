import CWALSupport
import Synchronization
import WALCore
import WALIO

/// Chooses how a run brings plain segments into memory, streamed (read a piece at a time into
/// a buffer, the kernel copying each piece) or mapped (the page cache's own pages). Which is
/// faster depends on the machine: where a core copies near memory's speed, streaming wins by
/// the page faults and unmapping it spares; where it copies slowly, mapping wins by the copy it
/// spares (docs/benchmarks.md has both). A run over many segments times both ways on its first
/// ones and reads the rest the faster way; a shorter run reads the way ``machineGuess`` says.
/// The verdicts do not depend on the way, only the time.
final class ReadingTrial: Sendable {
  /// Files timed with each way.
  static let timedPerWay = 3
  /// How much faster mapping must be to be chosen: streaming is what a file truncated while
  /// read meets more gracefully.
  static let mappingMargin = 0.95
  /// Runs with fewer plain segments than this are not timed.
  static let shortestRun = 32

  /// The way named by `WALKIT_READING` (`streamed` or `mapped`, for benchmarks), if any.
  static let forced: SegmentData.Access? = switch Syscalls.environment("WALKIT_READING") {
  case "streamed": .streamed
  case "mapped": .mapped
  default: nil
  }

  /// The way to read before anything is timed, or with nothing to time (one segment alone):
  /// mapped on Intel's processors, streamed on others. Measured on one machine of each kind so
  /// far: an Intel Xeon's core copied a warm file at 7 GB/s and verified a lone segment in 5.2 ms
  /// mapped against 7.9 read; an AMD EPYC's copied at 24 GB/s and took 4.98 mapped against 4.61.
  static let machineGuess: SegmentData.Access = forced ?? (walkit_cpu_is_intel() != 0 ? .mapped : .streamed)

  /// Files read the guessed way before any is timed: a worker's first reading pays for things
  /// made once (for streaming, its buffer), which would count against that way. Where mapping
  /// is guessed, a streamed file timed may still be the first to need a buffer: with more
  /// workers than files timed per way, the trial leans towards the guess.
  private let warmUp: Int
  private struct State {
    var handedOut = 0
    var fastest: [UInt64] = [.max, .max]
    var timed = [0, 0]
    var chosen: SegmentData.Access?
  }
  private let state = Mutex(State())

  /// A trial for a run of `plainFiles` plain local segments read by `workers` threads; none
  /// (``machineGuess`` chosen at once) when the run is too short for one to pay, or a way is
  /// ``forced``.
  init(plainFiles: Int, workers: Int, forced: SegmentData.Access? = ReadingTrial.forced) {
    warmUp = workers
    if let forced {
      state.withLock { $0.chosen = forced }
    } else if plainFiles < Self.shortestRun {
      state.withLock { $0.chosen = Self.machineGuess }
    }
  }

  /// How to read the next plain segment, and whether its reading is to be timed.
  func nextAccess() -> (access: SegmentData.Access, isTimed: Bool) {
    state.withLock { state in
      if let chosen = state.chosen { return (chosen, false) }
      let position = state.handedOut
      state.handedOut += 1
      let trial = position - warmUp
      guard trial >= 0, trial < 2 * Self.timedPerWay else { return (Self.machineGuess, false) }
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

  /// The way chosen: at once without a trial, else once the trial is over.
  var chosen: SegmentData.Access? { state.withLock { $0.chosen } }
}
