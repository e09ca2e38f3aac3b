/// One decoded WAL record. Its bytes are borrowed from the reader: use them inside the closure
/// that receives the record, and copy what you keep.
public struct WALRecord {
  /// Where the record starts.
  public let lsn: LSN
  /// The first byte after the record (not aligned; the next record starts at `end.maxAligned`).
  public let end: LSN
  public let header: RecordHeader
  /// The whole record, header included, with page headers removed when it crossed pages.
  public let bytes: UnsafeRawBufferPointer
  /// Block references in block-id order, borrowed like `bytes`. Their ranges index into `bytes`.
  public let blocks: BlockReferences
  /// Where the main data lies in `bytes`.
  public let mainDataRange: Range<Int>
  /// The segment and page sizes of the WAL it was read from.
  public let geometry: WALGeometry
  /// The PostgreSQL version that wrote it.
  public let version: WALVersion
  /// The timeline of the segment file it was read from.
  public let timeline: TimelineID
  // The optionals last: their odd sizes would misalign the fields after them, and a record
  // is built for every record visited.
  /// The top-level transaction of a subtransaction's first record (14+, `wal_level=logical`).
  public let topLevelXID: UInt32?
  /// The replication origin, when the record carries one.
  public let origin: UInt16?

  @inlinable
  package init(lsn: LSN, end: LSN, header: RecordHeader, bytes: UnsafeRawBufferPointer, blocks: BlockReferences,
               mainDataRange: Range<Int>, origin: UInt16?, topLevelXID: UInt32?, version: WALVersion,
               geometry: WALGeometry, timeline: TimelineID)
  {
    self.lsn = lsn
    self.end = end
    self.header = header
    self.bytes = bytes
    self.blocks = blocks
    self.mainDataRange = mainDataRange
    self.origin = origin
    self.topLevelXID = topLevelXID
    self.version = version
    self.geometry = geometry
    self.timeline = timeline
  }

  /// The rmgr-specific main data.
  @inlinable
  public var mainData: UnsafeRawBufferPointer { bytes(in: mainDataRange) }

  /// The bytes a range of ``BlockReference`` points at (empty where a headers-only record,
  /// see ``hasAllBytes``, does not have them).
  @inlinable
  public func bytes(in range: Range<Int>) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: bytes[range.clamped(to: 0..<bytes.count)])
  }

  /// False for a record delivered headers-only (``SegmentScanner/deliversHeadersOnly``): its
  /// header and block references are complete, its payload bytes may not be.
  @inlinable
  public var hasAllBytes: Bool { bytes.count == Int(header.totalLength) }

  /// Bytes of full-page images stored in the record (compressed, hole removed): what
  /// pg_waldump counts as "FPI size".
  @inlinable
  public var fullPageImageLength: Int {
    var total = 0
    for block in blocks { total += block.image?.bytes.count ?? 0 }
    return total
  }
}
