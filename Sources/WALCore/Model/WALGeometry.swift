/// Segment and page sizes of a WAL stream, from the long header of a segment's first page.
public struct WALGeometry: Hashable, Sendable, CustomStringConvertible {
  /// `wal_segment_size` in bytes: a power of two from 1 MiB to 1 GiB.
  public let segmentSize: UInt64
  /// `XLOG_BLCKSZ`, the WAL page size in bytes (8192 unless PostgreSQL was built otherwise).
  public let pageSize: UInt64

  public static let validSegmentSizes: ClosedRange<UInt64> = (1 << 20)...(1 << 30)
  public static let validPageSizes: ClosedRange<UInt64> = (1 << 10)...(1 << 16)
  /// PostgreSQL's defaults: 16 MiB segments of 8 KiB pages.
  public static let standard = WALGeometry(uncheckedSegmentSize: 16 << 20, pageSize: 8192)

  /// `nil` unless both sizes are powers of two in PostgreSQL's allowed ranges and a segment
  /// holds whole pages.
  @inlinable
  public init?(segmentSize: UInt64, pageSize: UInt64) {
    guard Self.validSegmentSizes.contains(segmentSize), segmentSize.nonzeroBitCount == 1,
      Self.validPageSizes.contains(pageSize), pageSize.nonzeroBitCount == 1,
      segmentSize % pageSize == 0
    else { return nil }
    self.segmentSize = segmentSize
    self.pageSize = pageSize
  }

  init(uncheckedSegmentSize: UInt64, pageSize: UInt64) {
    self.segmentSize = uncheckedSegmentSize
    self.pageSize = pageSize
  }

  /// Bytes at the end of the 64-bit LSN space whose segments are not read: a record or a
  /// continuation there (up to 4 GiB long) would run past the last representable position. A
  /// cluster writing 1 GB a second reaches them after five centuries, so only a forged name or
  /// page address puts a segment there.
  public static let unreadableTail: UInt64 = 8 << 30

  /// Whether the segment starting at `start` ends before ``unreadableTail``, where positions
  /// past it stay representable.
  @inlinable
  public func isReadable(segmentStart start: LSN) -> Bool {
    start.rawValue <= UInt64.max - segmentSize - Self.unreadableTail + 1
  }

  /// Segments per 4 GiB "log id", the middle field of a segment file name.
  @inlinable
  public var segmentsPerLogID: UInt64 { 0x1_0000_0000 / segmentSize }
  @inlinable
  public var pagesPerSegment: UInt64 { segmentSize / pageSize }

  /// The bytes of `count` segments, saturating at `UInt64.max` (a stray name can make a gap of
  /// absurd length).
  @inlinable
  public func bytes(ofSegments count: UInt64) -> UInt64 {
    let (product, overflow) = count.multipliedReportingOverflow(by: segmentSize)
    return overflow ? .max : product
  }

  @inlinable
  public func segment(containing lsn: LSN) -> SegmentNumber { SegmentNumber(lsn.rawValue / segmentSize) }
  /// `nil` when the segment lies past the end of the LSN space.
  @inlinable
  public func startLSN(of segment: SegmentNumber) -> LSN? {
    let (start, overflow) = segment.rawValue.multipliedReportingOverflow(by: segmentSize)
    return overflow ? nil : LSN(start)
  }
  @inlinable
  public func segmentOffset(of lsn: LSN) -> UInt64 { lsn.rawValue & (segmentSize - 1) }
  @inlinable
  public func pageOffset(of lsn: LSN) -> UInt64 { lsn.rawValue & (pageSize - 1) }

  @inlinable
  public var description: String {
    "\(Self.formatSize(segmentSize)) segments, \(Self.formatSize(pageSize)) pages"
  }

  /// `16 MB`, `8 kB`: sizes the way PostgreSQL's settings write them.
  @inlinable
  public static func formatSize(_ bytes: UInt64) -> String {
    if bytes >= 1 << 30, bytes % (1 << 30) == 0 { return "\(bytes >> 30) GB" }
    if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MB" }
    if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) kB" }
    return "\(bytes) bytes"
  }
}
