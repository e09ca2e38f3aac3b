import WALCore
import WALIO

/// Whether two consecutive segments are one WAL stream: what the earlier one's last record
/// leads the reader to expect at the start of the later one.
package enum SegmentJoin {
  /// The first way `current` fails to continue `previous`, or `nil`. Nothing is said when
  /// either was not read far enough to tell.
  ///
  /// - Parameter lastRecord: the last record read before `current` (it may lie in a segment
  ///   before `previous` when `previous` is all continuation).
  package static func problem(joining previous: SegmentScan, to current: SegmentScan, lastRecord: LSN?,
                      geometry: WALGeometry, file: String, name: SegmentName?) -> WALProblem?
  {
    guard previous.stopProblem == nil, current.version != nil,
      let start = current.segment.flatMap(geometry.startLSN(of:))
    else { return nil }
    let location = WALLocation(file: file, segment: name, fileOffset: 0, lsn: start)
    let due = previous.continuationDueAfterEnd
    let isPastTheEnd = current.endOfWALSignature != nil && !current.holdsOwnWAL
    if due > 0, current.continuedBytes != due, !isPastTheEnd, !current.firstPageOverwritesContinuation {
      let found = current.continuedBytes == 0 ? "there is no contrecord flag" : "its first page continues \(current.continuedBytes) bytes"
      return WALProblem(.brokenContinuation,
        "\(found), but the record the previous segment continues needs \(due) more bytes", at: location)
    }
    guard current.stopProblem == nil || current.holdsOwnWAL else { return nil }
    if case .switched(let claimed) = current.ending, claimed < start {
      // `current` opens with the end of an XLOG SWITCH record: the previous segment must hold it.
      switch previous.ending {
      case .switched(claimed): return timelineRegression(from: previous, to: current, at: location)
      case .continuesBeyond, .stopped: return nil
      case .complete, .switched:
        return WALProblem(.brokenContinuation,
          "first page continues \(current.continuedBytes) bytes that end an XLOG SWITCH record at \(claimed), but the previous segment has no XLOG SWITCH record there",
          at: location)
      }
    }
    let firstRecordSlot = start.advanced(by: UInt64(PageHeader.longSize))!
    switch previous.ending {
    case .complete(let nextRecord):
      if nextRecord <= firstRecordSlot, current.continuedBytes > 0 {
        return WALProblem(.brokenContinuation,
          "first page continues a record (\(current.continuedBytes) bytes), but the previous segment's last record ends at its end",
          at: location)
      }
    case .switched(let switchRecord):
      // A switch record begun in the segment's last 16 bytes ends in the next one.
      let crossing = start.distance(from: switchRecord) < UInt64(RecordHeader.size)
        ? UInt64(RecordHeader.size) - start.distance(from: switchRecord) : 0
      if current.continuedBytes != crossing {
        return WALProblem(.brokenContinuation,
          crossing > 0
            ? "first page continues \(current.continuedBytes) bytes, but the XLOG SWITCH record at \(switchRecord) ends \(crossing) bytes into it"
            : "first page continues a record (\(current.continuedBytes) bytes), but the previous segment ends with an XLOG SWITCH record",
          at: location)
      }
    case .continuesBeyond:
      // The record could not be followed into `current`: its first page may be what stopped it.
      return timelineRegression(from: previous, to: current, at: location)
    case .stopped:
      return nil
    }
    if let lastRecord, let first = current.firstRecord, let link = current.firstRecordPrevious, link != lastRecord {
      return WALProblem(.brokenContinuation,
        "record with incorrect prev-link \(link) at \(first): the previous segment's last record is at \(lastRecord); the two segments are not one WAL stream",
        at: WALLocation(file: file, segment: name, fileOffset: geometry.segmentOffset(of: first), lsn: first))
    }
    return timelineRegression(from: previous, to: current, at: location)
  }

  /// A first page whose timeline is older than the previous segment's last page's: PostgreSQL's
  /// reader refuses it ("out-of-sequence timeline ID").
  private static func timelineRegression(from previous: SegmentScan, to current: SegmentScan, at location: WALLocation) -> WALProblem? {
    guard let before = previous.lastPageTimeline, let after = current.firstPageTimeline, after < before else { return nil }
    return WALProblem(.timelineMismatch, "out-of-sequence timeline ID \(after) (after \(before)) in the first page", at: location)
  }
}
