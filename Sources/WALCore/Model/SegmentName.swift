/// The 24-hex-digit name of a WAL segment file, `TTTTTTTTLLLLLLLLSSSSSSSS`: timeline, then the
/// segment number split into a "log id" (high part) and a segment within that log id.
///
/// The split depends on the segment size, so a name alone orders segments but needs a
/// ``WALGeometry`` to become a ``SegmentNumber``.
public struct SegmentName: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let timeline: TimelineID
  /// The middle eight hex digits (`segno / segmentsPerLogID`).
  public let logID: UInt32
  /// The last eight hex digits (`segno % segmentsPerLogID`).
  public let segmentInLog: UInt32

  public init(timeline: TimelineID, logID: UInt32, segmentInLog: UInt32) {
    self.timeline = timeline
    self.logID = logID
    self.segmentInLog = segmentInLog
  }

  /// The name of `segment` on `timeline`; `nil` if the number does not fit a file name.
  public init?(timeline: TimelineID, segment: SegmentNumber, geometry: WALGeometry) {
    let perLog = geometry.segmentsPerLogID
    let log = segment.rawValue / perLog
    guard log <= UInt64(UInt32.max) else { return nil }
    self.init(timeline: timeline, logID: UInt32(log), segmentInLog: UInt32(segment.rawValue % perLog))
  }

  /// Parses exactly 24 hex digits (either case); `nil` for anything else, and for timeline 0
  /// (PostgreSQL's timelines start at 1).
  public init?(fileName: some StringProtocol) {
    let utf8 = Array(fileName.utf8)
    guard utf8.count == 24, let tli = Self.hex32(utf8[0..<8]), tli != 0, let log = Self.hex32(utf8[8..<16]),
      let seg = Self.hex32(utf8[16..<24])
    else { return nil }
    self.init(timeline: TimelineID(tli), logID: log, segmentInLog: seg)
  }

  /// The segment number under `geometry`, or `nil` when the last field is out of range for
  /// that segment size (a name PostgreSQL never writes).
  public func segment(in geometry: WALGeometry) -> SegmentNumber? {
    guard UInt64(segmentInLog) < geometry.segmentsPerLogID else { return nil }
    return SegmentNumber(UInt64(logID) * geometry.segmentsPerLogID + UInt64(segmentInLog))
  }

  public static func < (a: SegmentName, b: SegmentName) -> Bool {
    (a.timeline.rawValue, a.logID, a.segmentInLog) < (b.timeline.rawValue, b.logID, b.segmentInLog)
  }

  public var description: String { Hex.digits(timeline.rawValue, width: 8) + Hex.digits(logID, width: 8) + Hex.digits(segmentInLog, width: 8) }

  package static func hex32(_ digits: ArraySlice<UInt8>) -> UInt32? {
    var value: UInt32 = 0
    for digit in digits {
      let nibble: UInt8
      switch digit {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = digit - UInt8(ascii: "0")
      case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = digit - UInt8(ascii: "A") + 10
      case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = digit - UInt8(ascii: "a") + 10
      default: return nil
      }
      value = value << 4 | UInt32(nibble)
    }
    return value
  }
}
