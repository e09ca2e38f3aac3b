import WALCore
import WALIO

/// Page headers, checked as PostgreSQL's reader checks them.
extension ScanRun {
  /// Validates the page header at `page` (a page boundary), as PostgreSQL's
  /// `XLogReaderValidatePageHeader` does, plus the continuation checks when the page must
  /// continue a record (`continuing`: bytes still due, and the record's start, `nil` for a
  /// record begun in an earlier segment). Messages name the record's start as PostgreSQL's do.
  mutating func validatePage(at page: LSN, continuing: (remaining: UInt64, record: LSN?)?) throws(ScanStop) -> PageHeader {
    let available = try bytes(at: page, count: PageHeader.shortSize, required: PageHeader.shortSize)
    let isSegmentStart = geometry.segmentOffset(of: page) == 0
    if PageHeader.isZero(available, at: 0) {
      let what = continuing.map { "while \(Self.describe(record: $0.record)) needs \($0.remaining) more bytes" } ?? "where a page header is expected"
      throw ScanStop.problem(problem(.badPageHeader, "page at \(page) is all zeros \(what)", at: page), endLike: .zeros)
    }
    let full = isSegmentStart ? try bytes(at: page, count: PageHeader.longSize, required: PageHeader.longSize) : available
    guard let header = PageHeader(decoding: full) else {
      throw ScanStop.problem(problem(.badPageHeader, "page header at \(page) is cut short", at: page), endLike: nil)
    }
    guard header.magic == version.pageMagic else {
      throw ScanStop.problem(problem(.badPageHeader,
        "invalid magic number \(Hex.prefixed(header.magic)) in page at \(page) (expected \(Hex.prefixed(version.pageMagic)), \(version!))",
        at: page), endLike: nil)
    }
    guard header.info & ~PageHeader.Flags.all == 0 else {
      throw ScanStop.problem(problem(.badPageHeader, "invalid info bits \(Hex.prefixed(header.info)) in page at \(page)", at: page), endLike: nil)
    }
    if isSegmentStart {
      guard let long = header.long else {
        throw ScanStop.problem(problem(.badPageHeader,
          "invalid info bits \(Hex.prefixed(header.info)) in page at \(page): a segment's first page needs the long header", at: page),
          endLike: nil)
      }
      guard long.systemIdentifier == systemIdentifier else {
        throw ScanStop.problem(problem(.systemIDMismatch,
          "WAL file is from different database system: system identifier \(long.systemIdentifier) in page at \(page), expected \(systemIdentifier)",
          at: page), endLike: nil)
      }
      guard UInt64(long.segmentSize) == geometry.segmentSize, UInt64(long.pageSize) == geometry.pageSize else {
        throw ScanStop.problem(problem(.segmentSizeMismatch,
          "long header at \(page) gives segment size \(long.segmentSize) and page size \(long.pageSize), expected \(geometry.segmentSize) and \(geometry.pageSize)",
          at: page), endLike: nil)
      }
    } else if header.isLong {
      throw ScanStop.problem(problem(.badPageHeader,
        "invalid info bits \(Hex.prefixed(header.info)) in page at \(page): long header flag inside a segment", at: page), endLike: nil)
    }
    guard header.pageAddress == page else {
      throw ScanStop.problem(problem(.wrongPageAddress,
        "unexpected pageaddr \(header.pageAddress) in page at \(page)" + (header.pageAddress < page ? ": a stale page of a recycled segment" : ""),
        at: page), endLike: .stalePage)
    }
    guard header.timeline >= lastPageTimeline else {
      throw ScanStop.problem(problem(.timelineMismatch,
        "out-of-sequence timeline ID \(header.timeline) (after \(lastPageTimeline)) in page at \(page)", at: page), endLike: nil)
    }
    if let fileTimeline, header.timeline > fileTimeline {
      throw ScanStop.problem(problem(.timelineMismatch,
        "page at \(page) has timeline \(header.timeline), newer than the file name's timeline \(fileTimeline)", at: page), endLike: nil)
    }
    lastPageTimeline = header.timeline
    if let continuing {
      if header.overwritesContinuation {
        throw ScanStop.overwritten(resumeAt: page.advanced(by: UInt64(header.size))!)
      }
      guard header.continuesRecord else {
        throw ScanStop.problem(problem(.brokenContinuation,
          "there is no contrecord flag \(Self.place(of: continuing.record, page: page)): \(continuing.remaining) more bytes of the record are due",
          at: page), endLike: nil)
      }
      guard UInt64(header.remainingLength) == continuing.remaining else {
        throw ScanStop.problem(problem(.brokenContinuation,
          "invalid contrecord length \(header.remainingLength) (expected \(continuing.remaining)) \(Self.place(of: continuing.record, page: page))",
          at: page), endLike: nil)
      }
    }
    return header
  }

  /// Where a continuation check failed, named as PostgreSQL names it: at the record's start.
  static func place(of record: LSN?, page: LSN) -> String {
    record.map { "at \($0) (in the page at \(page))" } ?? "in the page at \(page), for the record continued from an earlier segment"
  }

  /// "record at X", or the record a segment continues from an earlier one.
  static func describe(record: LSN?) -> String {
    record.map { "record at \($0)" } ?? "the record continued from an earlier segment"
  }
}
