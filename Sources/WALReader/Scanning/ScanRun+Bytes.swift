import WALCore
import WALIO

/// Bytes at an LSN, in this segment or the ones a record continues into.
extension ScanRun {
  /// The segment a record continues into, `nil` when it is absent or unreadable; a segment
  /// that changed since it was listed stops the reading here, where it was found out.
  private mutating func followed(_ name: SegmentName) throws(ScanStop) -> SegmentData? {
    do throws(WALProblem) {
      return try following(name)
    } catch {
      noMoreSegments = true
      var problem = error
      problem.message = "read to follow a record that continues into it: " + problem.message
      throw ScanStop.followedSegmentChanged(problem)
    }
  }

  /// `count` bytes at `lsn` in this segment or a following one; throws when fewer than
  /// `required` are present.
  mutating func bytes(at lsn: LSN, count: Int, required: Int) throws(ScanStop) -> UnsafeRawBufferPointer {
    let index = Int(lsn.distance(from: segmentStart) >> geometry.segmentSize.trailingZeroBitCount)
    while segments.count <= index {
      let wanted = SegmentNumber(segmentNumber.rawValue + UInt64(segments.count))
      guard !noMoreSegments,
        let wantedName = SegmentName(timeline: fileTimeline ?? lastPageTimeline, segment: wanted, geometry: geometry),
        let next = try followed(wantedName)
      else {
        noMoreSegments = true
        throw ScanStop.beyondAvailable
      }
      segments.append(next)
    }
    if index == 0 {
      // The common case, without touching the array of segments.
      let offset = Int(lsn.distance(from: segmentStart))
      let present = min(count, max(0, firstBytes.count - offset))
      if present == count || (present >= required && !firstIsStreaming) {
        return UnsafeRawBufferPointer(rebasing: firstBytes[offset..<(offset + present)])
      }
    }
    var data = segments[index].bytes
    let offset = Int(geometry.segmentOffset(of: lsn))
    var present = min(count, max(0, data.count - offset))
    if present < count, segments[index].extend(toCover: offset + count) {
      data = segments[index].bytes
      if index == 0 {
        firstBytes = data
        firstIsStreaming = segments[0].hasMoreToRead
      }
      present = min(count, max(0, data.count - offset))
    }
    if present < required, let whole = segments[index].loadWhole() {
      segments[index] = whole
      if index == 0 {
        firstBytes = whole.bytes
        firstIsStreaming = false
      }
      data = whole.bytes
      present = min(count, max(0, data.count - offset))
    }
    guard present >= required else {
      if index == 0 { throw ScanStop.truncated(at: lsn) }
      throw ScanStop.beyondAvailable
    }
    return UnsafeRawBufferPointer(rebasing: data[offset..<(offset + present)])
  }
}
