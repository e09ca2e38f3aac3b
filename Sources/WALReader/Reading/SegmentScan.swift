import WALCore
import WALIO

/// What reading one segment found: its identity, its records, and how the reading ended.
public struct SegmentScan: Sendable {
  /// How reading a segment ended.
  public enum Ending: Sendable, Equatable {
    /// Every record to the segment's end is valid; the next record starts at `nextRecord`
    /// (in a later segment when the last record crosses the boundary).
    case complete(nextRecord: LSN)
    /// An `XLOG/SWITCH` record at `switchRecord` closed the segment; the rest is unused.
    case switched(switchRecord: LSN)
    /// The last record continues into a segment that is not available, so it is unchecked.
    case continuesBeyond(recordStart: LSN)
    /// Reading stopped at `at`: see ``SegmentScan/stopProblem``.
    case stopped(at: LSN)
  }

  public var file: String
  /// The segment's name: from the file name, or built from its first page for other names.
  public var name: SegmentName?
  public var segment: SegmentNumber?
  public var version: WALVersion?
  public var geometry: WALGeometry?
  public var systemIdentifier: UInt64?
  /// Timelines in the first and last page headers read.
  public var firstPageTimeline: TimelineID?
  public var lastPageTimeline: TimelineID?
  /// Records that start in this segment.
  public var recordCount = 0
  public var firstRecord: LSN?
  /// `xl_prev` of the first record: must be the previous segment's last record.
  public var firstRecordPrevious: LSN?
  public var lastRecord: LSN?
  /// Bytes of a record from an earlier segment that this segment's first page continues (0 if
  /// it starts with a record).
  public var continuedBytes: UInt64 = 0
  /// For a segment that holds only the middle of a record longer than itself: the bytes of
  /// that record the next segment's first page must continue (0 otherwise).
  public var continuationDueAfterEnd: UInt64 = 0
  /// The first page says a record continued into it was abandoned
  /// (`XLP_FIRST_IS_OVERWRITE_CONTRECORD`): nothing of the previous segment's record is due.
  public var firstPageOverwritesContinuation = false
  /// Where verified WAL ends: the next unread position.
  public var validThrough: LSN?
  public var ending: Ending = .stopped(at: .invalid)
  /// Why reading stopped, when it did; `nil` for a stop at the end of a truncated file
  /// (already among ``problems``).
  public var stopProblem: WALProblem?
  /// Set when the stop looks like a clean end of WAL rather than damage: the verifier decides
  /// from the segment's context.
  public var endOfWALSignature: EndOfWALSignature?
  /// Problems found, in order, excluding ``stopProblem``.
  public var problems: [WALProblem] = []
  /// Where reading went on after damage (``SegmentScanner/resynchronizes``), in order.
  public var resumptions: [Resumption] = []

  /// Reading went on after damage: from the damaged position to the next record boundary a
  /// later page header gave; the bytes between were not read as records.
  public struct Resumption: Sendable, Equatable {
    public var damagedAt: LSN
    public var resumedAt: LSN
    public var skippedBytes: UInt64 { resumedAt.distance(from: damagedAt) }
  }
  /// Bytes of the file on disk.
  public var storedSize: UInt64 = 0
  /// How the file is stored, as its content shows (as its name says when it could not be read).
  public var compression: Compression = .plain
  public var isCompressed: Bool { compression != .plain }

  /// What a place where valid WAL stops can look like when it is the real end of WAL.
  public enum EndOfWALSignature: Sendable, Equatable {
    /// Zeros where a record or page header should be: never written.
    case zeros
    /// A page carrying another page's address: a recycled segment not yet overwritten (an older
    /// segment's, or, renamed at a timeline switch or the end of recovery, a later one's).
    case stalePage
    /// A record whose prev-link points backwards: stale bytes after a torn write.
    case stalePrevLink
  }

  public init(file: String, name: SegmentName?) {
    self.file = file
    self.name = name
  }
}
