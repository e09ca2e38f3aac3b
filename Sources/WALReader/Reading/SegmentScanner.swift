import WALCore
import WALIO

/// Reads one segment page by page and record by record, validating every page header it
/// crosses and every record's header, CRC and block references as PostgreSQL's reader does.
///
/// A scanner owns the scratch buffer that records crossing pages are assembled in; reuse one
/// per thread. It reads records that *start* in the segment; the last one may continue into
/// following segments, which it asks for through `following`.
public final class SegmentScanner {
  // Touched for every record: the scanner is used by one thread at a time, so the accesses
  // need no run-time exclusivity checks.
  @exclusivity(unchecked) private var scratch: UnsafeMutableRawBufferPointer
  @exclusivity(unchecked) private var blocks: [BlockReference] = []
  /// `BLCKSZ`, the data page size full-page images are measured against.
  public let dataBlockSize: Int
  /// After damage, go on at the next record boundary a later page header gives (its
  /// continuation skipped), instead of stopping; the damage is among the scan's problems.
  public var resynchronizes = false
  /// Hand records that cross pages to the visitor with their headers and block references
  /// only (their CRC is still checked over every byte): faster when the payload is not needed.
  public var deliversHeadersOnly = false

  /// PostgreSQL refuses to allocate a record larger than this (`MaxAllocSize`).
  static let maximumRecordLength: UInt32 = 0x3FFF_FFFF

  public init(dataBlockSize: Int = 8192) {
    self.dataBlockSize = dataBlockSize
    scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
    blocks.reserveCapacity(Int(BlockReference.maximumID) + 1)
  }

  deinit { scratch.deallocate() }

  /// Reads the segment in `data`.
  ///
  /// - Parameters:
  ///   - file: the path, for locations.
  ///   - name: the segment name from the file name, if it has one.
  ///   - following: the data of the named later segment, when a record continues into it;
  ///     `nil` if that segment is not available.
  ///   - start: a record boundary in this segment to start at, as recovery starts at a
  ///     backup's redo point; records before it are not read. By default, the first record
  ///     that starts in the segment.
  ///   - end: a record boundary to stop at: reading ends, complete, before the record there.
  ///   - visit: called with each valid record that starts in this segment, in order. Without
  ///     it, records crossing pages are checked piece by piece and never copied.
  public func scan(_ data: SegmentData, file: String, name: SegmentName?,
                   following: (SegmentName) -> SegmentData? = { _ in nil },
                   from start: LSN? = nil, until end: LSN? = nil,
                   visit: ((WALRecord) -> Void)? = nil) -> SegmentScan
  {
    var result = SegmentScan(file: file, name: name)
    result.storedSize = data.storedSize
    result.compression = data.compression
    return withoutActuallyEscaping(following) { following in
      var run = Run(scanner: self, data: data, file: file, name: name, following: following, start: start, end: end)
      run.read(into: &result, visit: visit)
      return result
    }
  }

  /// Record boundaries that split a whole, well-formed segment into `parts` runs of about
  /// equal length, for reading them at once: each is the first record that starts on a page
  /// at or after the run's share of the segment. Empty when the segment cannot be split (its
  /// first page or size is off, or a boundary cannot be found).
  public func splitPoints(_ data: SegmentData, file: String, name: SegmentName?, parts: Int) -> [LSN] {
    guard parts > 1 else { return [] }
    var run = Run(scanner: self, data: data, file: file, name: name, following: { _ in nil }, start: nil, end: nil)
    guard run.prepareForSplitting() else { return [] }
    var points: [LSN] = []
    for part in 1..<parts {
      let share = run.geometry.segmentSize / UInt64(parts) * UInt64(part)
      let after = run.segmentStart.advanced(by: share - 1)!
      let segmentEnd = run.segmentStart.advanced(by: run.geometry.segmentSize)!
      guard let point = run.resynchronize(after: after, segmentEnd: segmentEnd), segmentEnd > point,
        point > (points.last ?? run.segmentStart)
      else { return [] }
      points.append(point)
    }
    return points
  }

  fileprivate func reserveScratch(_ count: Int) {
    guard count > scratch.count else { return }
    var capacity = scratch.count
    while capacity < count { capacity *= 2 }
    let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
    grown.copyMemory(from: UnsafeRawBufferPointer(scratch))
    scratch.deallocate()
    scratch = grown
  }

  fileprivate var scratchBuffer: UnsafeMutableRawBufferPointer { scratch }
  fileprivate var blockList: [BlockReference] {
    get { blocks }
    _modify { yield &blocks }
  }
}

/// Why a record could not be read.
private enum Stop: Error {
  /// A problem; `endLike` when it looks like the clean end of WAL rather than damage.
  case problem(WALProblem, endLike: SegmentScan.EndOfWALSignature?)
  /// The bytes ran out at a file shorter than its segment (reported once, up front).
  case truncated(at: LSN)
  /// The record continues into a segment that is not available.
  case beyondAvailable
  /// A page marked `XLP_FIRST_IS_OVERWRITE_CONTRECORD` replaced the rest of the record; reading
  /// resumes at the record on that page.
  case overwritten(resumeAt: LSN)
}

/// One segment's reading: the state the scanner needs while it walks the pages.
private struct Run {
  let scanner: SegmentScanner
  let file: String
  let name: SegmentName?
  let following: (SegmentName) -> SegmentData?
  var segments: [SegmentData]
  /// The bytes of `segments[0]`, kept alive by it.
  var firstBytes: UnsafeRawBufferPointer
  var version: WALVersion!
  var geometry: WALGeometry!
  var systemIdentifier: UInt64 = 0
  var segmentNumber = SegmentNumber(0)
  var segmentStart = LSN.invalid
  var fileTimeline: TimelineID?
  var lastPageTimeline = TimelineID(0)
  var noMoreSegments = false
  let requestedStart: LSN?
  let requestedEnd: LSN?

  init(scanner: SegmentScanner, data: SegmentData, file: String, name: SegmentName?,
       following: @escaping (SegmentName) -> SegmentData?, start: LSN?, end: LSN?) {
    self.requestedStart = start
    self.requestedEnd = end
    self.scanner = scanner
    self.file = file
    self.name = name
    self.following = following
    self.segments = [data]
    self.firstBytes = data.bytes
    self.fileTimeline = name?.timeline
  }

  func location(_ lsn: LSN?, fileOffset: UInt64? = nil) -> WALLocation {
    guard let lsn, geometry != nil, segmentStart <= lsn else {
      return WALLocation(file: file, segment: name, fileOffset: fileOffset, lsn: lsn)
    }
    let index = lsn.distance(from: segmentStart) / geometry.segmentSize
    if index == 0 {
      return WALLocation(file: file, segment: name, fileOffset: fileOffset ?? lsn.distance(from: segmentStart), lsn: lsn)
    }
    let segment = SegmentNumber(segmentNumber.rawValue + index)
    let laterName = SegmentName(timeline: fileTimeline ?? lastPageTimeline, segment: segment, geometry: geometry)
    return WALLocation(file: nil, segment: laterName, fileOffset: geometry.segmentOffset(of: lsn), lsn: lsn)
  }

  func problem(_ kind: WALProblem.Kind, _ message: String, at lsn: LSN?, fileOffset: UInt64? = nil) -> WALProblem {
    WALProblem(kind, message, at: location(lsn, fileOffset: fileOffset))
  }

  // MARK: First page

  /// Takes the version, geometry and position from the first page of a whole segment, for
  /// finding split points; false when they are not plainly right (reading proper reports why).
  mutating func prepareForSplitting() -> Bool {
    let bytes = segments[0].bytes
    guard bytes.count >= PageHeader.longSize, let first = PageHeader(decoding: bytes, at: 0),
      let version = WALVersion(pageMagic: first.magic), let long = first.long,
      let geometry = WALGeometry(segmentSize: UInt64(long.segmentSize), pageSize: UInt64(long.pageSize)),
      geometry.segmentOffset(of: first.pageAddress) == 0, segments[0].contentSize == geometry.segmentSize
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
      result.stopProblem = problem(.badPageHeader, "first page header is all zeros: the segment was never written", at: nil, fileOffset: 0)
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
        result.endOfWALSignature = older ? .stalePage : nil
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
    if let fileTimeline, first.timeline > fileTimeline {
      result.stopProblem = problem(.timelineMismatch,
        "first page has timeline \(first.timeline), newer than the file name's timeline \(fileTimeline)",
        at: segmentStart, fileOffset: UInt64(PageHeader.Layout.timeline))
      result.validThrough = segmentStart
      return
    }
    let size = segments[0].contentSize
    if size < geometry.segmentSize {
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

  // MARK: Records

  mutating func readRecords(first: PageHeader, into result: inout SegmentScan, visit: ((WALRecord) -> Void)?) {
    let segmentEnd = segmentStart.advanced(by: geometry.segmentSize) ?? LSN(.max)
    var position = segmentStart.advanced(by: UInt64(PageHeader.longSize))!
    var previous: LSN?
    var first = first

    func stop(_ reason: Stop, at lsn: LSN, result: inout SegmentScan) {
      result.validThrough = lsn
      result.ending = .stopped(at: lsn)
      switch reason {
      case .problem(let problem, let endLike):
        result.stopProblem = problem
        result.endOfWALSignature = endLike
      case .truncated:
        break
      case .beyondAvailable:
        result.ending = .continuesBeyond(recordStart: lsn)
      case .overwritten:
        break
      }
    }

    if let requestedStart, requestedStart > position, requestedStart < segmentEnd {
      position = requestedStart
      let page = LSN(requestedStart.rawValue - geometry.pageOffset(of: requestedStart))
      if page > segmentStart {
        do throws(Stop) {
          _ = try validatePage(at: page, continuing: nil)
        } catch {
          stop(error, at: page, result: &result)
          return
        }
      }
      first.info &= ~PageHeader.Flags.continuesRecord
    }

    if first.continuesRecord {
      result.continuedBytes = UInt64(first.remainingLength)
      do {
        position = try skipContinuation(from: position, remaining: UInt64(first.remainingLength), segmentEnd: segmentEnd)
      } catch {
        if case .overwritten(let resume) = error {
          position = resume
        } else {
          stop(error, at: position, result: &result)
          return
        }
      }
      if position >= segmentEnd {
        let dataInSegment = geometry.segmentSize - UInt64(PageHeader.longSize)
          - (geometry.pagesPerSegment - 1) * UInt64(PageHeader.shortSize)
        let remaining = UInt64(first.remainingLength)
        // The record may also end in the segment's last bytes, its end MAXALIGNed to the boundary.
        result.continuationDueAfterEnd = remaining > dataInSegment ? remaining - dataInSegment : 0
        result.validThrough = segmentEnd
        result.ending = .complete(nextRecord: position)
        result.lastPageTimeline = lastPageTimeline
        return
      }
    }

    let keepingBytes = visit != nil && !scanner.deliversHeadersOnly
    let readEnd = min(segmentEnd, requestedEnd ?? segmentEnd)
    while true {
      if position >= readEnd {
        result.ending = .complete(nextRecord: position)
        result.validThrough = position
        break
      }
      do throws(Stop) {
        if geometry.pageOffset(of: position) == 0 {
          let header = try validatePage(at: position, continuing: nil)
          if header.continuesRecord {
            throw Stop.problem(problem(.brokenContinuation,
              "contrecord is requested by \(position): the page continues a record, but the previous record ended before it",
              at: position), endLike: nil)
          }
          position = position.advanced(by: UInt64(header.size))!
          if position >= readEnd {
            result.ending = .complete(nextRecord: position)
            result.validThrough = position
            break
          }
        }
        let record = try readRecord(at: position, previous: previous, keepingBytes: keepingBytes)
        if let visit {
          visit(WALRecord(lsn: position, end: record.end, header: record.header, bytes: record.bytes,
                          blocks: scanner.blockList, mainDataRange: record.facts.mainData, origin: record.facts.origin,
                          topLevelXID: record.facts.topLevelXID, version: version, geometry: geometry,
                          timeline: fileTimeline ?? lastPageTimeline))
        }
        result.recordCount += 1
        if result.firstRecord == nil {
          result.firstRecord = position
          result.firstRecordPrevious = record.header.previous
        }
        result.lastRecord = position
        previous = position
        if record.header.isSegmentSwitch {
          result.ending = .switched(switchRecord: position)
          result.validThrough = segmentEnd
          break
        }
        position = record.end.maxAligned
      } catch {
        if case .overwritten(let resume) = error {
          position = resume
          continue
        }
        if scanner.resynchronizes, case .problem(let problem, nil) = error,
          let resume = resynchronize(after: position, segmentEnd: segmentEnd)
        {
          result.problems.append(problem)
          result.resumptions.append(SegmentScan.Resumption(damagedAt: position, resumedAt: resume))
          previous = nil
          position = resume
          continue
        }
        stop(error, at: position, result: &result)
        break
      }
    }
    result.lastPageTimeline = lastPageTimeline
  }

  /// The next record boundary after damage at `position`: the first later page of the segment
  /// whose header is valid, past the continuation data it announces.
  mutating func resynchronize(after position: LSN, segmentEnd: LSN) -> LSN? {
    var page = LSN((position.rawValue / geometry.pageSize + 1) * geometry.pageSize)
    while page < segmentEnd {
      if let header = try? validatePage(at: page, continuing: nil) {
        let dataStart = page.advanced(by: UInt64(header.size))!
        guard header.continuesRecord else { return dataStart }
        if let next = try? skipContinuation(from: dataStart, remaining: UInt64(header.remainingLength), segmentEnd: segmentEnd) {
          return next
        }
      }
      page = page.advanced(by: geometry.pageSize)!
    }
    return nil
  }

  /// Skips the continuation of a record begun in an earlier segment, validating each page on
  /// the way; returns where the next record starts: in this segment, or past its end when the
  /// record goes on into later segments (a record may be longer than a segment).
  mutating func skipContinuation(from start: LSN, remaining total: UInt64, segmentEnd: LSN) throws(Stop) -> LSN {
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
      let header = try validatePage(at: position, continuing: (remaining, start))
      position = position.advanced(by: UInt64(header.size))!
    }
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

  /// A record that passed every check.
  struct CheckedRecord {
    var header: RecordHeader
    var end: LSN
    /// The whole record, or only its header region when its bytes are not kept.
    var bytes: UnsafeRawBufferPointer
    var facts: RecordBodyFacts
  }

  /// Reads and validates the record at `lsn`. Unless `keepingBytes`, a record that crosses
  /// pages is checked piece by piece and only its headers are gathered.
  mutating func readRecord(at lsn: LSN, previous: LSN?, keepingBytes: Bool) throws(Stop) -> CheckedRecord {
    let pageRoom = Int(geometry.pageSize - geometry.pageOffset(of: lsn))
    let local = try bytes(at: lsn, count: min(pageRoom, RecordHeader.size), required: min(pageRoom, RecordHeader.size))
    let totalLength = ByteReader.field(local, at: 0, as: UInt32.self)
    guard totalLength >= UInt32(RecordHeader.size) else {
      throw Stop.problem(problem(.invalidRecord,
        "invalid record length at \(lsn): expected at least \(RecordHeader.size), got \(totalLength)", at: lsn),
        endLike: totalLength == 0 ? .zeros : nil)
    }
    guard totalLength <= SegmentScanner.maximumRecordLength else {
      throw Stop.problem(problem(.invalidRecord, "record length \(totalLength) at \(lsn) too long", at: lsn), endLike: nil)
    }
    if pageRoom >= RecordHeader.size {
      try validateHeader(RecordHeader(unchecked: local), at: lsn, previous: previous)
    }

    let recordBytes: UnsafeRawBufferPointer
    let end: LSN
    var crc: UInt32
    if Int(totalLength) <= pageRoom {
      recordBytes = try bytes(at: lsn, count: Int(totalLength), required: Int(totalLength))
      end = lsn.advanced(by: UInt64(totalLength))!
      crc = CRC32C.update(CRC32C.start, UnsafeRawBufferPointer(rebasing: recordBytes[RecordHeader.size...]))
    } else {
      (recordBytes, end, crc) = try assemble(at: lsn, totalLength: Int(totalLength), firstPiece: pageRoom,
                                             previous: previous, keepingBytes: keepingBytes)
    }
    let header = RecordHeader(unchecked: recordBytes)
    crc = CRC32C.finish(CRC32C.update(crc, UnsafeRawBufferPointer(rebasing: recordBytes[0..<RecordHeader.crcCoveredSize])))
    guard crc == header.crc else {
      throw Stop.problem(problem(.crcMismatch,
        "incorrect resource manager data checksum in record at \(lsn): stored \(Hex.prefixed(header.crc)), computed \(Hex.prefixed(crc))",
        at: lsn), endLike: nil)
    }

    let facts: RecordBodyFacts
    do {
      facts = try RecordBodyDecoder.decode(recordBytes, totalLength: Int(totalLength), version: version,
                                           dataBlockSize: scanner.dataBlockSize, blocks: &scanner.blockList)
    } catch {
      var located = error
      located.location = location(lsn)
      located.message += " at \(lsn)"
      throw Stop.problem(located, endLike: nil)
    }
    return CheckedRecord(header: header, end: end, bytes: recordBytes, facts: facts)
  }

  func validateHeader(_ header: RecordHeader, at lsn: LSN, previous: LSN?) throws(Stop) {
    guard ResourceManagerIDs.isValid(header.resourceManagerID, in: version) else {
      throw Stop.problem(problem(.invalidRecord, "invalid resource manager ID \(header.resourceManagerID) at \(lsn)", at: lsn),
                         endLike: nil)
    }
    if let previous {
      guard header.previous == previous else {
        throw Stop.problem(problem(.invalidRecord,
          "record with incorrect prev-link \(header.previous) at \(lsn) (expected \(previous))", at: lsn),
          endLike: header.previous < previous ? .stalePrevLink : nil)
      }
    } else if header.previous >= lsn {
      throw Stop.problem(problem(.invalidRecord,
        "record with incorrect prev-link \(header.previous) at \(lsn): it points at or after the record", at: lsn),
        endLike: nil)
    }
  }

  /// Bytes gathered of a record whose bytes are not kept: more than the largest possible
  /// header region (33 block headers of 27 bytes, origin, top-level xid, data header).
  static let headerRegionLimit = 2048

  /// Follows a record across pages (and maybe segments), validating each page, and returns
  /// the record gathered into the scratch buffer (only its first `headerRegionLimit` bytes
  /// unless `keepingBytes`), its end, and the running CRC of its body.
  mutating func assemble(at lsn: LSN, totalLength: Int, firstPiece: Int, previous: LSN?,
                         keepingBytes: Bool) throws(Stop) -> (UnsafeRawBufferPointer, LSN, UInt32)
  {
    let keep = keepingBytes ? totalLength : min(totalLength, Self.headerRegionLimit)
    var consumed = 0
    var kept = 0
    var crc = CRC32C.start
    func take(_ piece: UnsafeRawBufferPointer) {
      if consumed + piece.count > RecordHeader.size {
        let bodyStart = max(0, RecordHeader.size - consumed)
        crc = CRC32C.update(crc, UnsafeRawBufferPointer(rebasing: piece[bodyStart...]))
      }
      if kept < keep {
        let count = min(piece.count, keep - kept)
        scanner.reserveScratch(kept + count)
        UnsafeMutableRawBufferPointer(rebasing: scanner.scratchBuffer[kept...])
          .copyMemory(from: UnsafeRawBufferPointer(rebasing: piece[0..<count]))
        kept += count
      }
      consumed += piece.count
    }
    take(try bytes(at: lsn, count: firstPiece, required: firstPiece))
    var headerChecked = firstPiece >= RecordHeader.size
    var page = lsn.advanced(by: UInt64(firstPiece))!
    var end = page
    while consumed < totalLength {
      let remaining = UInt64(totalLength - consumed)
      let header: PageHeader
      do {
        header = try validatePage(at: page, continuing: (remaining, lsn))
      } catch {
        // A later segment's own header problems are reported when that segment is read;
        // here they only mean the record cannot be finished.
        if geometry.segmentOffset(of: page) == 0, case .problem(let found, _) = error, found.kind != .brokenContinuation {
          throw Stop.beyondAvailable
        }
        throw error
      }
      let dataStart = page.advanced(by: UInt64(header.size))!
      let room = Int(geometry.pageSize) - header.size
      let count = min(room, Int(remaining))
      take(try bytes(at: dataStart, count: count, required: count))
      end = dataStart.advanced(by: UInt64(count))!
      page = page.advanced(by: geometry.pageSize)!
      if !headerChecked && consumed >= RecordHeader.size {
        headerChecked = true
        try validateHeader(RecordHeader(unchecked: UnsafeRawBufferPointer(scanner.scratchBuffer)), at: lsn, previous: previous)
      }
    }
    return (UnsafeRawBufferPointer(rebasing: scanner.scratchBuffer[0..<kept]), end, crc)
  }

  // MARK: Pages and bytes

  /// Validates the page header at `page` (a page boundary), as PostgreSQL's
  /// `XLogReaderValidatePageHeader` does, plus the continuation checks when the page must
  /// continue a record (`continuing`: bytes still due, and the record's start).
  mutating func validatePage(at page: LSN, continuing: (remaining: UInt64, record: LSN)?) throws(Stop) -> PageHeader {
    let available = try bytes(at: page, count: PageHeader.shortSize, required: PageHeader.shortSize)
    let isSegmentStart = geometry.segmentOffset(of: page) == 0
    if PageHeader.isZero(available, at: 0) {
      let what = continuing.map { "while record at \($0.record) needs \($0.remaining) more bytes" } ?? "where a page header is expected"
      throw Stop.problem(problem(.badPageHeader, "page at \(page) is all zeros \(what)", at: page), endLike: .zeros)
    }
    let full = isSegmentStart ? try bytes(at: page, count: PageHeader.longSize, required: PageHeader.longSize) : available
    guard let header = PageHeader(decoding: full) else {
      throw Stop.problem(problem(.badPageHeader, "page header at \(page) is cut short", at: page), endLike: nil)
    }
    guard header.magic == version.pageMagic else {
      throw Stop.problem(problem(.badPageHeader,
        "invalid magic number \(Hex.prefixed(header.magic)) in page at \(page) (expected \(Hex.prefixed(version.pageMagic)), \(version!))",
        at: page), endLike: nil)
    }
    guard header.info & ~PageHeader.Flags.all == 0 else {
      throw Stop.problem(problem(.badPageHeader, "invalid info bits \(Hex.prefixed(header.info)) in page at \(page)", at: page), endLike: nil)
    }
    if isSegmentStart {
      guard let long = header.long else {
        throw Stop.problem(problem(.badPageHeader,
          "invalid info bits \(Hex.prefixed(header.info)) in page at \(page): a segment's first page needs the long header", at: page),
          endLike: nil)
      }
      guard long.systemIdentifier == systemIdentifier else {
        throw Stop.problem(problem(.systemIDMismatch,
          "WAL file is from different database system: system identifier \(long.systemIdentifier) in page at \(page), expected \(systemIdentifier)",
          at: page), endLike: nil)
      }
      guard UInt64(long.segmentSize) == geometry.segmentSize, UInt64(long.pageSize) == geometry.pageSize else {
        throw Stop.problem(problem(.segmentSizeMismatch,
          "long header at \(page) gives segment size \(long.segmentSize) and page size \(long.pageSize), expected \(geometry.segmentSize) and \(geometry.pageSize)",
          at: page), endLike: nil)
      }
    } else if header.isLong {
      throw Stop.problem(problem(.badPageHeader,
        "invalid info bits \(Hex.prefixed(header.info)) in page at \(page): long header flag inside a segment", at: page), endLike: nil)
    }
    guard header.pageAddress == page else {
      throw Stop.problem(problem(.wrongPageAddress,
        "unexpected pageaddr \(header.pageAddress) in page at \(page)" + (header.pageAddress < page ? ": a stale page of a recycled segment" : ""),
        at: page), endLike: header.pageAddress < page ? .stalePage : nil)
    }
    guard header.timeline >= lastPageTimeline else {
      throw Stop.problem(problem(.timelineMismatch,
        "out-of-sequence timeline ID \(header.timeline) (after \(lastPageTimeline)) in page at \(page)", at: page), endLike: nil)
    }
    if let fileTimeline, header.timeline > fileTimeline {
      throw Stop.problem(problem(.timelineMismatch,
        "page at \(page) has timeline \(header.timeline), newer than the file name's timeline \(fileTimeline)", at: page), endLike: nil)
    }
    lastPageTimeline = header.timeline
    if let continuing {
      if header.overwritesContinuation {
        throw Stop.overwritten(resumeAt: page.advanced(by: UInt64(header.size))!)
      }
      guard header.continuesRecord else {
        throw Stop.problem(problem(.brokenContinuation,
          "there is no contrecord flag at \(page): record at \(continuing.record) needs \(continuing.remaining) more bytes",
          at: page), endLike: nil)
      }
      guard UInt64(header.remainingLength) == continuing.remaining else {
        throw Stop.problem(problem(.brokenContinuation,
          "invalid contrecord length \(header.remainingLength) (expected \(continuing.remaining)) at \(page) for record at \(continuing.record)",
          at: page), endLike: nil)
      }
    }
    return header
  }

  /// `count` bytes at `lsn` in this segment or a following one; throws when fewer than
  /// `required` are present.
  mutating func bytes(at lsn: LSN, count: Int, required: Int) throws(Stop) -> UnsafeRawBufferPointer {
    let index = Int(lsn.distance(from: segmentStart) >> geometry.segmentSize.trailingZeroBitCount)
    while segments.count <= index {
      let wanted = SegmentNumber(segmentNumber.rawValue + UInt64(segments.count))
      guard !noMoreSegments,
        let wantedName = SegmentName(timeline: fileTimeline ?? lastPageTimeline, segment: wanted, geometry: geometry),
        let next = following(wantedName)
      else {
        noMoreSegments = true
        throw Stop.beyondAvailable
      }
      segments.append(next)
    }
    if index == 0 {
      // The common case, without touching the array of segments.
      let offset = Int(lsn.distance(from: segmentStart))
      let present = min(count, max(0, firstBytes.count - offset))
      if present >= required { return UnsafeRawBufferPointer(rebasing: firstBytes[offset..<(offset + present)]) }
    }
    var data = segments[index].bytes
    let offset = Int(geometry.segmentOffset(of: lsn))
    var present = min(count, max(0, data.count - offset))
    if present < required, segments[index].isPrefix, let path = segments[index].path,
      let whole = try? SegmentData.load(path: path, inflateLimit: SegmentData.announcedSegmentSize)
    {
      segments[index] = whole
      if index == 0 { firstBytes = whole.bytes }
      data = whole.bytes
      present = min(count, max(0, data.count - offset))
    }
    guard present >= required else {
      if index == 0 { throw Stop.truncated(at: lsn) }
      throw Stop.beyondAvailable
    }
    return UnsafeRawBufferPointer(rebasing: data[offset..<(offset + present)])
  }
}
