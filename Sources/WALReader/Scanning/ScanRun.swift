import WALCore
import WALIO

/// Why a record could not be read.
enum ScanStop: Error {
  /// A problem; `endLike` when it looks like the clean end of WAL rather than damage.
  case problem(WALProblem, endLike: SegmentScan.EndOfWALSignature?)
  /// The bytes ran out at a file shorter than its segment (reported once, up front).
  case truncated(at: LSN)
  /// The record continues into a segment that is not available.
  case beyondAvailable
  /// The record continues into a segment that changed since it was listed (found out while
  /// following the record; that segment's own reading may not see it).
  case followedSegmentChanged(WALProblem)
  /// A page marked `XLP_FIRST_IS_OVERWRITE_CONTRECORD` replaced the rest of the record; reading
  /// resumes at the record on that page.
  case overwritten(resumeAt: LSN)
}

/// One segment's reading: the state the scanner needs while it walks the pages.
struct ScanRun {
  let scanner: SegmentScanner
  let file: String
  let name: SegmentName?
  let following: (SegmentName) throws(WALProblem) -> SegmentData?
  var segments: [SegmentData]
  /// The bytes of `segments[0]`, kept alive by it.
  var firstBytes: UnsafeRawBufferPointer
  /// `segments[0]` is streamed and has more to read than `firstBytes`.
  var firstIsStreaming: Bool
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
       following: @escaping (SegmentName) throws(WALProblem) -> SegmentData?, start: LSN?, end: LSN?) {
    self.requestedStart = start
    self.requestedEnd = end
    self.scanner = scanner
    self.file = file
    self.name = name
    self.following = following
    self.segments = [data]
    self.firstBytes = data.bytes
    self.firstIsStreaming = data.hasMoreToRead
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
}
