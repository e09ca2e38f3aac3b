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
  /// The block references of the record being read, as the decoder writes them.
  let blockStorage = UnsafeMutablePointer<BlockReference>.allocate(capacity: RecordBodyDecoder.blockCapacity)
  /// `BLCKSZ`, the data page size full-page images are measured against.
  public let dataBlockSize: Int
  /// After damage, go on at the next record boundary a later page header gives (its
  /// continuation skipped), instead of stopping; the damage is among the scan's problems.
  @exclusivity(unchecked) public var resynchronizes = false
  /// Hand records that cross pages to the visitor with their headers and block references
  /// only (their CRC is still checked over every byte): faster when the payload is not needed.
  @exclusivity(unchecked) public var deliversHeadersOnly = false

  /// The segment ``scan(_:file:name:following:from:until:visit:)`` is reading, while it reads.
  @exclusivity(unchecked) private var reading: SegmentData?

  /// Whether the file being read still holds all that was read of it (a mapped or streamed file
  /// may be cut short by another process meanwhile: ``SegmentData/isCutShort``): asked before
  /// records are handed on while their segment is still being read. Only from `visit`, on the
  /// thread that scans.
  public var readingIsIntact: Bool { !(reading?.isCutShort ?? false) }

  /// PostgreSQL refuses to allocate a record larger than this (`MaxAllocSize`).
  static let maximumRecordLength: UInt32 = 0x3FFF_FFFF

  public init(dataBlockSize: Int = 8192) {
    self.dataBlockSize = dataBlockSize
    scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
  }

  deinit {
    scratch.deallocate()
    blockStorage.deallocate()
  }

  /// Reads the segment in `data`.
  ///
  /// - Parameters:
  ///   - file: the path, for locations.
  ///   - name: the segment name from the file name, if it has one.
  ///   - following: the data of the named later segment, when a record continues into it;
  ///     `nil` if that segment is not available. A problem it throws (the segment changed
  ///     since it was listed) stops the reading at that record, with that problem.
  ///   - start: a record boundary in this segment to start at, as recovery starts at a
  ///     backup's redo point; records before it are not read. By default, the first record
  ///     that starts in the segment.
  ///   - end: a record boundary to stop at: reading ends, complete, before the record there.
  ///   - visit: called with each valid record that starts in this segment, in order. Without
  ///     it, records crossing pages are checked piece by piece and never copied.
  public func scan(_ data: SegmentData, file: String, name: SegmentName?,
                   following: (SegmentName) throws(WALProblem) -> SegmentData? = { _ in nil },
                   from start: LSN? = nil, until end: LSN? = nil,
                   visit: ((WALRecord) -> Void)? = nil) -> SegmentScan
  {
    reading = data
    defer { reading = nil }
    var result = SegmentScan(file: file, name: name)
    result.storedSize = data.storedSize
    result.compression = data.compression
    return withoutActuallyEscaping(following) { following in
      var run = ScanRun(scanner: self, data: data, file: file, name: name, following: following, start: start, end: end)
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
    var run = ScanRun(scanner: self, data: data, file: file, name: name, following: { _ in nil }, start: nil, end: nil)
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

  func reserveScratch(_ count: Int) {
    guard count > scratch.count else { return }
    var capacity = scratch.count
    while capacity < count { capacity *= 2 }
    let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
    grown.copyMemory(from: UnsafeRawBufferPointer(scratch))
    scratch.deallocate()
    scratch = grown
  }

  var scratchBuffer: UnsafeMutableRawBufferPointer { scratch }
}
