import WALCore

/// The record loop's common case on local values: a record that starts and ends on one page
/// of the segment's own bytes (passed on each call: they may be replaced by a longer copy),
/// after a record already read, and passes every check.
///
/// Anything else (a page's first record, one that crosses a page, one past the bytes at hand,
/// any failed check) gives `nil`, and ``ScanRun/readRecord(at:previous:keepingBytes:)`` reads
/// it again and words the problem: the answer is the same, only sooner.
struct OnePageRecords {
  let segmentStart: LSN
  let geometry: WALGeometry
  let pageMask: UInt64
  let version: WALVersion
  let dataBlockSize: Int
  /// Where the block references of a record handed to a visitor go.
  let blocks: UnsafeMutablePointer<BlockReference>

  init(segmentStart: LSN, geometry: WALGeometry, version: WALVersion, scanner: SegmentScanner) {
    self.segmentStart = segmentStart
    self.geometry = geometry
    self.pageMask = geometry.pageSize &- 1
    self.version = version
    self.dataBlockSize = scanner.dataBlockSize
    self.blocks = scanner.blockStorage
  }

  @inline(__always)
  func record(in bytes: UnsafeRawBufferPointer, at lsn: LSN, previous: LSN) -> ScanRun.CheckedRecord? {
    guard let (record, header, end) = checkedFrame(in: bytes, at: lsn, previous: previous),
      let facts = facts(of: record)
    else { return nil }
    return ScanRun.CheckedRecord(header: header, end: end, bytes: record, facts: facts)
  }

  /// The end of the record at `lsn` and whether it switches segments, when it passes every
  /// check; nothing is gathered of its body.
  @inline(__always)
  func checkedEnd(in bytes: UnsafeRawBufferPointer, at lsn: LSN, previous: LSN) -> (end: LSN, isSwitch: Bool)? {
    guard let (record, header, end) = checkedFrame(in: bytes, at: lsn, previous: previous),
      RecordBodyDecoder.isConsistent(record, totalLength: record.count, version: version, dataBlockSize: dataBlockSize)
    else { return nil }
    return (end, header.isSegmentSwitch)
  }

  /// The record at `lsn` when it lies on one page of `bytes` and its header, prev-link and CRC
  /// are right.
  @inline(__always)
  private func checkedFrame(in bytes: UnsafeRawBufferPointer, at lsn: LSN, previous: LSN)
    -> (record: UnsafeRawBufferPointer, header: RecordHeader, end: LSN)?
  {
    guard let base = bytes.baseAddress else { return nil }
    let pageOffset = lsn.rawValue & pageMask
    let pageRoom = pageMask &+ 1 &- pageOffset
    let (offset, outside) = lsn.rawValue.subtractingReportingOverflow(segmentStart.rawValue)
    guard !outside, pageOffset != 0, pageRoom >= UInt64(RecordHeader.size),
      offset <= UInt64(bytes.count), UInt64(bytes.count) &- offset >= UInt64(RecordHeader.size)
    else { return nil }
    let start = base + Int(offset)
    let totalLength = UInt32(littleEndian: start.loadUnaligned(as: UInt32.self))
    guard totalLength >= UInt32(RecordHeader.size), UInt64(totalLength) <= pageRoom,
      UInt64(totalLength) <= UInt64(bytes.count) &- offset
    else { return nil }
    let record = UnsafeRawBufferPointer(start: start, count: Int(totalLength))
    let header = RecordHeader(unchecked: record)
    guard header.previous == previous, ResourceManagerIDs.isValid(header.resourceManagerID, in: version),
      CRC32C.record(record) == header.crc,
      let end = lsn.advanced(by: UInt64(totalLength))
    else { return nil }
    return (record, header, end)
  }

  /// The record's block references decoded into `blocks`.
  @inline(__always)
  private func facts(of record: UnsafeRawBufferPointer) -> RecordBodyFacts? {
    try? RecordBodyDecoder.decode(record, totalLength: record.count, version: version, dataBlockSize: dataBlockSize,
                                  blocks: blocks)
  }
}

extension OnePageRecords {
  /// Records read one after another from `position`, after the record at `previous`.
  struct Run {
    var next: LSN
    var last: LSN
    var count = 0
  }

  /// Reads records from `position` (after the record at `previous`) while each is one
  /// ``record(in:at:previous:)`` reads, none is a segment switch, and they start before `end`.
  /// The record it stops at is left to the general path.
  func run(in bytes: UnsafeRawBufferPointer, from position: LSN, previous: LSN, before end: LSN) -> Run {
    var run = Run(next: position, last: previous)
    while run.next < end, let record = checkedEnd(in: bytes, at: run.next, previous: run.last), !record.isSwitch {
      run.last = run.next
      run.next = record.end.maxAligned
      run.count += 1
    }
    return run
  }

  /// ``run(in:from:previous:before:)``, handing each record to `visit` (with `timeline`, the
  /// segment's).
  func run(in bytes: UnsafeRawBufferPointer, from position: LSN, previous: LSN, before end: LSN,
           timeline: TimelineID, visit: (WALRecord) -> Void) -> Run
  {
    var run = Run(next: position, last: previous)
    while run.next < end, let record = record(in: bytes, at: run.next, previous: run.last), !record.header.isSegmentSwitch {
      visit(WALRecord(lsn: run.next, end: record.end, header: record.header, bytes: record.bytes,
                      blocks: BlockReferences(blocks, count: record.facts.blockCount), mainDataRange: record.facts.mainData,
                      origin: record.facts.origin, topLevelXID: record.facts.topLevelXID, version: version,
                      geometry: geometry, timeline: timeline))
      run.last = run.next
      run.next = record.end.maxAligned
      run.count += 1
    }
    return run
  }
}
