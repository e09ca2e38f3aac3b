import WALCore
import WALIO

/// The first page: version, geometry and position, and the checks of a segment's start.
extension ScanRun {
  /// Takes the version, geometry and position from the first page of a whole segment, for
  /// finding split points; false when they are not plainly right (reading proper reports why).
  mutating func prepareForSplitting() -> Bool {
    let bytes = segments[0].bytes
    guard bytes.count >= PageHeader.longSize, let first = PageHeader(decoding: bytes, at: 0),
      let version = WALVersion(pageMagic: first.magic), let long = first.long,
      let geometry = WALGeometry(segmentSize: UInt64(long.segmentSize), pageSize: UInt64(long.pageSize)),
      geometry.segmentOffset(of: first.pageAddress) == 0, segments[0].contentSize == geometry.segmentSize,
      geometry.isReadable(segmentStart: first.pageAddress)
    else { return false }
    let addressed = geometry.segment(containing: first.pageAddress)
    if let name, name.segment(in: geometry) != addressed { return false }
    self.version = version
    self.geometry = geometry
    systemIdentifier = long.systemIdentifier
    lastPageTimeline = first.timeline
    segmentNumber = addressed
    segmentStart = first.pageAddress
    return true
  }

  mutating func read(into result: inout SegmentScan, visit: ((WALRecord) -> Void)?) {
    let bytes = segments[0].bytes
    guard bytes.count >= PageHeader.longSize else {
      let what = bytes.isEmpty ? "the file is empty" : "the file has only \(bytes.count) bytes"
      result.stopProblem = problem(.truncatedFile, "\(what); a segment starts with a \(PageHeader.longSize)-byte long page header", at: nil, fileOffset: UInt64(bytes.count))
      return
    }
    if PageHeader.isZero(bytes, at: 0) {
      let size = segments[0].contentSize
      let sizeNote = WALGeometry.validSegmentSizes.contains(size) && size.nonzeroBitCount == 1 ? ""
        : " (and the file has \(size) bytes\(size % (1 << 20) == 0 && size > 0 ? ", " + WALGeometry.formatSize(size) : ""): no WAL segment has that size)"
      result.stopProblem = problem(.badPageHeader, "first page header is all zeros: the segment was never written" + sizeNote, at: nil, fileOffset: 0)
      result.endOfWALSignature = .zeros
      return
    }
    let first = PageHeader(decoding: bytes, at: 0)!
    guard let version = WALVersion(pageMagic: first.magic) else {
      result.stopProblem = problem(.badPageHeader,
        "unknown page magic \(Hex.prefixed(first.magic)): not WAL of PostgreSQL 10–18", at: nil, fileOffset: 0)
      return
    }
    self.version = version
    result.version = version
    guard first.info & ~PageHeader.Flags.all == 0 else {
      result.stopProblem = problem(.badPageHeader, "invalid info bits \(Hex.prefixed(first.info)) in the first page header", at: nil, fileOffset: 0)
      return
    }
    guard let long = first.long else {
      result.stopProblem = problem(.badPageHeader,
        "first page lacks the long header (info bits \(Hex.prefixed(first.info)), expected XLP_LONG_HEADER 0x0002)", at: nil, fileOffset: 0)
      return
    }
    guard let geometry = WALGeometry(segmentSize: UInt64(long.segmentSize), pageSize: UInt64(long.pageSize)) else {
      result.stopProblem = problem(.badPageHeader,
        "long header gives segment size \(long.segmentSize) and page size \(long.pageSize): not a power of two in PostgreSQL's ranges",
        at: nil, fileOffset: UInt64(PageHeader.Layout.segmentSize))
      return
    }
    self.geometry = geometry
    systemIdentifier = long.systemIdentifier
    result.geometry = geometry
    result.systemIdentifier = long.systemIdentifier
    result.firstPageTimeline = first.timeline
    result.lastPageTimeline = first.timeline
    lastPageTimeline = first.timeline

    result.firstPageOverwritesContinuation = first.overwritesContinuation
    guard geometry.segmentOffset(of: first.pageAddress) == 0 else {
      result.stopProblem = problem(.wrongPageAddress,
        "first page address \(first.pageAddress) is not the start of a \(WALGeometry.formatSize(geometry.segmentSize)) segment",
        at: nil, fileOffset: UInt64(PageHeader.Layout.pageAddress))
      return
    }
    let addressedSegment = geometry.segment(containing: first.pageAddress)
    if let name {
      guard let named = name.segment(in: geometry) else {
        result.stopProblem = problem(.unexpectedFile,
          "file name \(name) is not a valid segment name for \(WALGeometry.formatSize(geometry.segmentSize)) segments",
          at: first.pageAddress, fileOffset: 0)
        return
      }
      segmentNumber = named
      segmentStart = geometry.startLSN(of: named) ?? .invalid
      result.segment = named
      if named != addressedSegment {
        let older = addressedSegment < named
        result.stopProblem = problem(.wrongPageAddress,
          "unexpected pageaddr \(first.pageAddress) in the first page (expected \(segmentStart) for segment \(name))"
            + (older ? ": a recycled segment, or an older segment under a later name" : ": the file holds a later segment than its name says"),
          at: segmentStart, fileOffset: UInt64(PageHeader.Layout.pageAddress))
        result.endOfWALSignature = .stalePage
        result.validThrough = segmentStart
        return
      }
    } else {
      segmentNumber = addressedSegment
      segmentStart = first.pageAddress
      result.segment = addressedSegment
      fileTimeline = first.timeline
      result.name = SegmentName(timeline: first.timeline, segment: addressedSegment, geometry: geometry)
    }
    guard geometry.isReadable(segmentStart: segmentStart) else {
      result.stopProblem = problem(.wrongPageAddress,
        "segment at \(segmentStart) reaches into the last \(WALGeometry.formatSize(WALGeometry.unreadableTail)) of the 64-bit LSN space, which no cluster reaches: a forged \(name == nil ? "page address" : "name"); not read",
        at: nil, fileOffset: UInt64(PageHeader.Layout.pageAddress))
      result.validThrough = nil
      return
    }
    if let fileTimeline, first.timeline > fileTimeline {
      result.stopProblem = problem(.timelineMismatch,
        "first page has timeline \(first.timeline), newer than the file name's timeline \(fileTimeline)",
        at: segmentStart, fileOffset: UInt64(PageHeader.Layout.timeline))
      result.validThrough = segmentStart
      return
    }
    let size = segments[0].contentSize
    if size < geometry.segmentSize && segments[0].isGrowingPartial {
      // pg_receivewal's compressed file in progress: it ends where the reading does.
    } else if size < geometry.segmentSize {
      result.problems.append(problem(.truncatedFile,
        "file has \(size) bytes, but its long header gives a segment size of \(geometry.segmentSize)",
        at: segmentStart.advanced(by: size), fileOffset: size))
    } else if size > geometry.segmentSize {
      result.problems.append(problem(.segmentSizeMismatch,
        "file has \(size) bytes, but its long header gives a segment size of \(geometry.segmentSize); bytes past it are ignored",
        at: nil, fileOffset: geometry.segmentSize))
    }
    readRecords(first: first, into: &result, visit: visit)
  }
}
