import WALCore
import WALIO
import WALReader
import WALDescriptions

/// What `WALComparison` found: segment by segment, and where the two WAL histories part.
public struct ComparisonReport: Sendable {
  /// WAL one side has from the divergence on: what the other side does not share.
  public struct Beyond: Sendable {
    public var bytes: UInt64
    public var records: Int
    /// Commit records (`Transaction/COMMIT`, `COMMIT_PREPARED`).
    public var commits: Int
    /// Distinct transaction ids among the records.
    public var transactions: Int
    public var end: LSN
  }

  /// Where the record streams of the two sides stop being the same.
  public struct Divergence: Sendable {
    public var lsn: LSN
    public var segment: SegmentNumber
    public var recordA: RecordSummary?
    public var recordB: RecordSummary?
    public var firstDifferentOffset: UInt64?
    /// Whether, on side A and on side B, the first difference is in a record continued from
    /// the previous segment (so that side has no record starting at ``lsn``).
    public var differsInContinuationA = false
    public var differsInContinuationB = false
    public var timelineA: TimelineID?
    public var timelineB: TimelineID?
    /// The switch point of a history file that the divergence sits at, if any.
    public var switchPoint: LSN?
    /// True when the divergence is a recorded switch point (a promotion; when the point is a
    /// page's start, as after an XLOG SWITCH, the first record past that page's header), or, with
    /// ``beforeSharedWAL``, when a recorded switch point before the WAL both sides hold parts
    /// their timelines; `nil` when neither side has history files.
    public var isSwitchPoint: Bool?
    /// Set when the sides already differ at the first WAL of the first segment both hold (its
    /// first record, or the record continued into it), so that their histories part at that
    /// segment's start or before, in WAL neither side has: that segment's start.
    public var beforeSharedWAL: LSN?
    public var beyondA: Beyond?
    public var beyondB: Beyond?
    /// With `--range`: a recorded switch point before the range where the two sides' timelines
    /// already part, so the histories diverge there, not at ``lsn``.
    public var switchPointBeforeRange: LSN?
  }

  public var sideA: String
  public var sideB: String
  /// Every segment, in LSN order.
  public var segments: [SegmentComparison]
  public var divergence: Divergence?
  /// Switch points from the history files on either side.
  public var switchPoints: [LSN]
  /// Each side's database system: the system identifier most of its segments carry.
  public var systemIdentifierA: UInt64?
  public var systemIdentifierB: UInt64?

  /// True when the two sides are WAL of different database systems (clusters).
  public var isOfDifferentSystems: Bool {
    guard let systemIdentifierA, let systemIdentifierB else { return false }
    return systemIdentifierA != systemIdentifierB
  }

  public var onlyInA: [SegmentComparison] { segments.filter { $0.result == .onlyInA } }
  public var onlyInB: [SegmentComparison] { segments.filter { $0.result == .onlyInB } }
  public var same: [SegmentComparison] { segments.filter { $0.result == .identical || $0.result == .sameWAL } }
  public var differing: [SegmentComparison] { segments.filter { $0.result == .different } }
  /// Segments whose copy on one side is damaged or unreadable (also a segment only one side has).
  public var damaged: [SegmentComparison] { segments.filter(\.isDamaged) }
  /// Segments one side lacks although it has WAL before and after them: gaps in that side.
  public var missingInA: [SegmentComparison] { gaps(in: \.fileA, onlyOnOtherSide: onlyInB) }
  public var missingInB: [SegmentComparison] { gaps(in: \.fileB, onlyOnOtherSide: onlyInA) }

  private func gaps(in side: KeyPath<SegmentComparison, WALFile?>, onlyOnOtherSide: [SegmentComparison]) -> [SegmentComparison] {
    var bounds: [TimelineID: ClosedRange<SegmentNumber>] = [:]
    for segment in segments {
      guard let timeline = segment[keyPath: side]?.name?.timeline else { continue }
      let range = bounds[timeline]
      bounds[timeline] = min(range?.lowerBound ?? segment.segment, segment.segment)...max(range?.upperBound ?? segment.segment, segment.segment)
    }
    return onlyOnOtherSide.filter { missing in
      guard let timeline = (missing.fileA ?? missing.fileB)?.name?.timeline, let range = bounds[timeline] else { return false }
      return missing.segment > range.lowerBound && missing.segment < range.upperBound
    }
  }

  /// True when both sides hold the same WAL: no segment only on one side, none different.
  public var isSameWAL: Bool { divergence == nil && segments.allSatisfy { $0.result == .identical || $0.result == .sameWAL } }
}
