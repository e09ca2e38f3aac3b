import WALCore
import WALIO

/// Skipping the continuation of a record that began in an earlier segment.
extension ScanRun {
  /// Skips the continuation of a record begun in an earlier segment, validating each page on
  /// the way; returns where the next record starts: in this segment, or past its end when the
  /// record goes on into later segments (a record may be longer than a segment).
  mutating func skipContinuation(from start: LSN, remaining total: UInt64, segmentEnd: LSN) throws(ScanStop) -> LSN {
    var position = start
    var remaining = total
    while true {
      let room = geometry.pageSize - geometry.pageOffset(of: position)
      if remaining <= room {
        return position.advanced(by: remaining)!.maxAligned
      }
      remaining -= room
      position = position.advanced(by: room)!
      if position >= segmentEnd { return endOfRecordData(fromPage: position, count: remaining) }
      let header = try validatePage(at: position, continuing: (remaining, nil))
      position = position.advanced(by: UInt64(header.size))!
    }
  }

  /// The XLOG SWITCH record whose last `continued` bytes open this segment, when they read as
  /// the end of one and the rest of the first page is zeros: a switch record is a bare 24-byte
  /// header, and one begun 16 or 8 bytes before a segment's end leaves the next segment unused
  /// (ReserveXLogSwitch; the reader goes on in the segment after). `nil` otherwise.
  mutating func switchRecordCrossingIn(continued: Int) -> LSN? {
    // The first segment has no segment before it for a record to begin in.
    guard continued == 8 || continued == 16, segmentStart.rawValue >= UInt64(RecordHeader.size) else { return nil }
    let dataStart = segmentStart.advanced(by: UInt64(PageHeader.longSize))!
    let room = Int(geometry.pageSize) - PageHeader.longSize
    guard let data = try? bytes(at: dataStart, count: room, required: room) else { return nil }
    // xl_info and xl_rmid are the header's bytes 16 and 17.
    let headerStart = RecordHeader.size - continued
    guard RecordHeader.isSegmentSwitch(resourceManagerID: data[17 - headerStart], info: data[16 - headerStart]),
      data[continued...].allSatisfy({ $0 == 0 })
    else { return nil }
    return LSN(segmentStart.rawValue - UInt64(headerStart))
  }

  /// Where `count` bytes of record data laid out from the page boundary `page` end, each page's
  /// header (the long one at a segment's start) skipped, MAXALIGNed: the next record's place.
  /// Computed, not read: later segments are checked when they are read themselves.
  func endOfRecordData(fromPage page: LSN, count: UInt64) -> LSN {
    let shortRoom = geometry.pageSize - UInt64(PageHeader.shortSize)
    let longRoom = geometry.pageSize - UInt64(PageHeader.longSize)
    var page = page
    var remaining = count
    while true {
      let isSegmentStart = geometry.segmentOffset(of: page) == 0
      let header = UInt64(isSegmentStart ? PageHeader.longSize : PageHeader.shortSize)
      let room = isSegmentStart ? longRoom : shortRoom
      if remaining <= room {
        return page.advanced(by: header + remaining)?.maxAligned ?? LSN(.max)
      }
      remaining -= room
      guard let next = page.advanced(by: geometry.pageSize) else { return LSN(.max) }
      page = next
    }
  }
}
