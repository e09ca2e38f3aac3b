import WALCore
import WALIO
import WALReader
import WALDescriptions

/// The answer to "can a standby catch up from here with this WAL?".
public struct GapReport: Sendable {
  /// Where replay starts.
  public struct Start: Sendable {
    public var lsn: LSN
    public var timeline: TimelineID
    /// What the start point came from: a backup label's path, "LSN", "segment …", "first segment".
    public var origin: String
    /// Where a backup taken there ends (`STOP WAL LOCATION` of its `.backup` file), or a
    /// standby's minimum recovery point: replay must get this far before a standby is consistent.
    public var backupEnd: LSN?
    /// The data directory the start point was read from, with what it is and why it starts here.
    public var dataDirectory: DataDirectory? = nil
  }

  /// A run of consecutive missing segments of one timeline.
  public struct MissingRange: Sendable {
    public var first: SegmentName
    public var last: SegmentName
    public var count: UInt64
    /// Their size in bytes (saturating: a stray name can make a run of absurd length).
    public var bytes: UInt64

    init(_ step: RecoveryStep, geometry: WALGeometry) {
      first = step.name
      last = step.lastName
      count = step.count
      bytes = geometry.bytes(ofSegments: step.count)
    }
  }

  /// How one path segment fared.
  public enum StepStatus: String, Sendable {
    /// Present and, when content was checked, valid.
    case ok
    /// Present; content not checked (`--names-only`).
    case present
    case missing
    case damaged
    /// A file of a live `pg_wal` past the end of WAL that still holds another segment's pages
    /// (PostgreSQL renamed it for reuse): not WAL of this segment, and not needed.
    case recycled
    /// A file of a live `pg_wal` past the end of WAL, never written: not needed.
    case unused
  }

  public struct Step: Sendable {
    public var step: RecoveryStep
    public var status: StepStatus
    /// The source directory the file comes from.
    public var source: String?
    /// What reading the file found (`nil` when only names were looked at).
    public var scan: SegmentScan? {
      get { scanBox?.scan }
      set { scanBox = newValue.map(ScanBox.init) }
    }
    /// Held by reference: a path can be hundreds of thousands of steps, most with no scan.
    private var scanBox: ScanBox?

    public init(step: RecoveryStep, status: StepStatus, source: String?, scan: SegmentScan?) {
      self.step = step
      self.status = status
      self.source = source
      self.scanBox = scan.map(ScanBox.init)
    }
  }

  /// A segment scan behind a reference.
  final class ScanBox: Sendable {
    let scan: SegmentScan
    init(_ scan: SegmentScan) { self.scan = scan }
  }

  public var start: Start
  /// The timeline recovery ends up following (`recovery_target_timeline`), as PostgreSQL
  /// computes it from the history files present.
  public var targetTimeline: TimelineID
  /// The newest timeline the WAL shows, which "latest" should reach; differs from
  /// `targetTimeline` when a history file is missing.
  public var newestTimeline: TimelineID
  /// The LSN asked for (`--to`), or `nil` for the end of the newest WAL.
  public var targetLSN: LSN?
  /// The end of WAL on the path, where a standby would stop if nothing were missing.
  public var endOfWAL: LSN?
  /// The furthest LSN a standby could replay to (the end of the last record it can read, as
  /// `pg_last_wal_replay_lsn()` reports it).
  public var reachableLSN: LSN
  /// True when a standby gets from the start to the target without a gap.
  public var continuous: Bool
  /// What stops a standby first, if anything.
  public var blockingProblem: WALProblem?
  /// Every problem found: on the path, in the history files, orphan timelines.
  public var problems: [WALProblem]
  /// Missing segments on the path, in order, as runs.
  public var missingRanges: [MissingRange]
  public var path: [Step]
  public var sources: [WALCatalog.Source]
  /// The recovery target asked for, with whether it is inclusive, and where recovery stops for
  /// it (`nil` when it is not reached).
  public var recoveryTarget: (target: RecoveryTarget, inclusive: Bool)? = nil
  public var recoveryStop: RecoveryStop? = nil
  /// Whether the standby can catch up from its primary, when the primary was named.
  public var catchUp: CatchUp? = nil
  /// Whether content was checked (false with `--names-only`).
  public var checkedContent: Bool

  /// True when a finding of severity problem was made, on the path or off it: even a
  /// continuous answer is then not "nothing wrong".
  public var hasProblems: Bool { problems.contains { $0.severity == .problem } }

  /// True when replay gets past the backup's end, so the standby would be consistent; `nil`
  /// when the backup's end is not known.
  public var reachesConsistency: Bool? { start.backupEnd.map { reachableLSN >= $0 } }
}
