import WALCore
import WALIO

/// The verdict on one segment file.
public enum SegmentStatus: String, Sendable, Codable, CaseIterable {
  /// Valid WAL to the segment's end.
  case complete
  /// Valid WAL up to an `XLOG/SWITCH` record; the rest of the segment is unused, as it should be.
  case switched
  /// Valid WAL that ends inside the segment where WAL may end: the newest segment of a
  /// `pg_wal`, or a `.partial` segment.
  case inProgress = "in-progress"
  /// A recycled file in `pg_wal` past the end of WAL: it still holds another segment's pages.
  case recycled
  /// A pre-allocated file in `pg_wal` past the end of WAL, never written.
  case unused
  /// Something is wrong; see the problems.
  case damaged
  /// The file could not be read.
  case unreadable
}

/// One segment file's verification result.
public struct SegmentReport: Sendable {
  public var file: WALFile
  public var scan: SegmentScan
  public var status: SegmentStatus
  /// The problems found in this file, in order.
  public var problems: [WALProblem]

  /// The segment's name: from the file name, or from its first page.
  public var name: SegmentName? { file.name ?? scan.name }
}

extension SegmentReport {
  /// A file's report as its scan left it, before the set of files is judged.
  init(file: WALFile, scan: SegmentScan) {
    self.init(file: file, scan: scan, status: .complete, problems: scan.problems)
  }
}
