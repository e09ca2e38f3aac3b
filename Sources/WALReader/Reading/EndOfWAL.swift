import WALCore

/// Where valid WAL may stop before the end of its segment. PostgreSQL's `archive_command` copies
/// a segment once it is full or switched, so an archived segment whose WAL stops short is
/// incomplete or damaged. Only WAL still being written stops short: a `.partial` file (a
/// timeline's last segment, kept at promotion) or a segment in a live `pg_wal`.
package enum EndOfWAL {
  /// True when a segment may end where its valid WAL stops: it is `.partial` or in `pg_wal`.
  package static func mayEndInside(isPartial: Bool, isLive: Bool) -> Bool { isPartial || isLive }

  /// The problem for valid WAL that stops inside a segment where it may not: `stop` (the scan's
  /// stop problem), with where valid WAL ends (`validEnd`, or the scan's own end) and why that is
  /// wrong when `because` says (what follows, or that the segment is archived). Zeros where
  /// records should be are an incomplete segment.
  package static func problem(_ scan: SegmentScan, stop: WALProblem, validEnd: LSN? = nil, because reason: String? = nil) -> WALProblem {
    var problem = stop
    if scan.endOfWALSignature == .zeros { problem.kind = .incompleteSegment }
    if let reason {
      let end = (validEnd ?? scan.validThrough).map(String.init(describing:)) ?? "the first page"
      problem.message = "valid WAL ends at \(end)\(reason): \(stop.message)"
    }
    return problem
  }

  /// Why an archived segment may not end inside: the reason given with ``problem(_:stop:because:)``.
  package static let archivedSegmentIsWhole = " inside the segment; an archived segment is full or ends with an XLOG SWITCH record"
  /// The same, when valid WAL ends before the segment, at a record it does not complete.
  package static let archivedSegmentLeavesRecordUnfinished =
    ", the start of a record this segment does not complete; an archived segment is full or ends with an XLOG SWITCH record"
}
