import CWALSupport
import Synchronization
import WALCore
import WALIO

/// Chooses how a run brings plain segments into memory, streamed (read a piece at a time into
/// a buffer, the kernel copying each piece) or mapped (the page cache's own pages). Which is
/// faster depends on the machine: where a core copies near memory's speed, streaming wins by
/// the page faults and unmapping it spares; where it copies slowly, mapping wins by the copy it
/// spares (docs/benchmarks.md has both). A run over many segments reads the guessed way
/// (``guess``), times it on segments it reads anyway, times the other way on a few, one at a
/// time, and reads the rest the faster way; a shorter run, and a run whose records go to a
/// visitor (whose work would drown the difference), keep the guess. The verdicts do not depend
/// on the way, only the time.
final class ReadingTrial: Sendable {
  /// Whole segments timed with each way.
  static let timedPerWay = 2
  /// Timed readings handed out before the trial gives up and keeps the guess: an archive whose
  /// first segments are not whole (switched early, damaged) gives nothing to compare.
  static let longestTrial = 8 * timedPerWay
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

  /// The way the processor suggests: mapped on Intel's, streamed on others. Measured on one
  /// machine of each kind so far: an Intel Xeon's core copied a warm file at 7 GB/s and verified
  /// a lone segment in 5.2 ms mapped against 7.9 read; an AMD EPYC's copied at 24 GB/s and took
  /// 4.98 mapped against 4.61 read.
  static let processorGuess: SegmentData.Access = walkit_cpu_is_intel() != 0 ? .mapped : .streamed

  /// The way to read with nothing timed (a segment read alone): the one named, else the
  /// processor's where mapping is allowed (``SegmentData/mappingAllowed``), else streamed.
  static var machineGuess: SegmentData.Access {
    guess(forced: forced, mappingAllowed: SegmentData.mappingAllowed)
  }

  private static func guess(forced: SegmentData.Access?, mappingAllowed: Bool) -> SegmentData.Access {
    forced ?? (mappingAllowed ? processorGuess : .streamed)
  }

  /// This run's ``machineGuess``, taken when it began.
  let guess: SegmentData.Access
  /// The way tried against the guess.
  private var other: SegmentData.Access { guess == .mapped ? .streamed : .mapped }
  /// Files read the guessed way before any is timed: streamed readings under way at once each
  /// take a buffer from the shared pool, allocated when it has none free, which would count
  /// against streaming. The other way is read by one thread at a time, so that only its first
  /// reading allocates, and the fastest of each way is what counts.
  private let warmUp: Int
  private struct State {
    var handedOut = 0
    /// Timed readings handed out and not yet finished, per way (streamed, mapped).
    var pending = [0, 0]
    /// Timed readings that counted, per way, and the fastest of each.
    var timed = [0, 0]
    var fastest: [Double] = [.infinity, .infinity]
    var timedHandedOut = 0
    var chosen: SegmentData.Access?

    /// Timed readings `way` still wants.
    func wanted(_ way: SegmentData.Access) -> Int {
      ReadingTrial.timedPerWay - timed[way.trialIndex] - pending[way.trialIndex]
    }
  }
  private let state = Mutex(State())

  /// A trial for a run of `plainFiles` plain local segments read by `workers` threads; none
  /// (``guess`` chosen at once) when the run is too short for one to pay, a way is named, or
  /// mapping is not allowed.
  init(plainFiles: Int, workers: Int, forced: SegmentData.Access? = ReadingTrial.forced,
       mappingAllowed: Bool = SegmentData.mappingAllowed) {
    guess = Self.guess(forced: forced, mappingAllowed: mappingAllowed)
    warmUp = workers
    if forced != nil || !mappingAllowed || plainFiles < Self.shortestRun {
      state.withLock { [guess] in $0.chosen = guess }
    }
  }

  /// One segment's reading: its way, and the start of its timing when it is a trial's.
  struct Reading {
    let access: SegmentData.Access
    fileprivate let trial: ReadingTrial?
    fileprivate let start: UInt64

    /// Untimed, with `access`.
    static func untimed(_ access: SegmentData.Access) -> Reading { Reading(access: access, trial: nil, start: 0) }

    /// Whether the trial times this reading.
    var isTimed: Bool { trial != nil }

    /// Ends the reading that gave `scan`; a trial's counts when it read a whole segment cleanly
    /// to its end (a file that stopped early, or was read again after being cut short, says
    /// nothing of the way), per byte of the file.
    func finished(_ scan: SegmentScan?) {
      guard let trial else { return }
      guard let scan, scan.readsToTheEnd, scan.problems.isEmpty, scan.storedSize > 0 else {
        trial.finish(access, nanosecondsPerByte: nil)
        return
      }
      let nanoseconds = Syscalls.threadCPUNanoseconds &- start
      trial.finish(access, nanosecondsPerByte: Double(nanoseconds) / Double(scan.storedSize))
    }
  }

  /// The way to read the next plain segment; timed (by its thread's CPU time, the kernel's
  /// copies and page faults included) when the trial still needs it and `timed`. After the
  /// warm-up the other way is handed out whenever none of its readings is under way, and the
  /// guess, timed while it wants readings, in between.
  func begin(timed: Bool = true) -> Reading {
    let (access, isTimed): (SegmentData.Access, Bool) = state.withLock { [guess, other] state in
      if let chosen = state.chosen { return (chosen, false) }
      guard timed else { return (guess, false) }
      state.handedOut += 1
      guard state.handedOut > warmUp else { return (guess, false) }
      guard state.timedHandedOut < Self.longestTrial else {
        state.chosen = guess
        return (guess, false)
      }
      let way: SegmentData.Access
      if state.wanted(other) > 0, state.pending[other.trialIndex] == 0 {
        way = other
      } else if state.wanted(guess) > 0 {
        way = guess
      } else {
        return (guess, false)
      }
      state.pending[way.trialIndex] += 1
      state.timedHandedOut += 1
      return (way, true)
    }
    return isTimed ? Reading(access: access, trial: self, start: Syscalls.threadCPUNanoseconds) : .untimed(access)
  }

  /// Notes that a timed reading with `access` ended, taking `nanosecondsPerByte` of its
  /// thread's time, or `nil` when it does not count. Each way is judged by its fastest
  /// segment: one that met a cold cache or a preempted thread says little.
  func finish(_ access: SegmentData.Access, nanosecondsPerByte: Double?) {
    state.withLock { state in
      let way = access.trialIndex
      state.pending[way] -= 1
      guard let nanosecondsPerByte else { return }
      state.fastest[way] = min(state.fastest[way], nanosecondsPerByte)
      state.timed[way] += 1
      guard state.chosen == nil, state.timed.allSatisfy({ $0 >= Self.timedPerWay }) else { return }
      state.chosen = state.fastest[1] < state.fastest[0] * Self.mappingMargin ? .mapped : .streamed
    }
  }

  /// The way chosen: at once without a trial, else once the trial is over.
  var chosen: SegmentData.Access? { state.withLock { $0.chosen } }
}

extension SegmentData.Access {
  /// The trial's count of this way: 0 streamed, 1 mapped.
  fileprivate var trialIndex: Int { self == .mapped ? 1 : 0 }
}

extension SegmentScan {
  /// Every byte of the segment was read: its records are valid to its end, the last perhaps
  /// continuing into a segment not at hand.
  fileprivate var readsToTheEnd: Bool {
    switch ending {
    case .complete, .continuesBeyond: true
    case .switched, .stopped: false
    }
  }
}
