import WALCore
import WALIO

/// Where a base backup starts (and, in a `.backup` history file, ends): the start point a
/// standby restoring that backup replays from.
///
/// Read from a `backup_label` file, or from `<segment>.<offset>.backup` in an archive, which
/// adds the stop location.
public struct BackupLabel: Hashable, Sendable {
  /// `START WAL LOCATION`: the redo point of the backup's checkpoint, where replay begins.
  public var startLSN: LSN
  /// The segment the label names for the start.
  public var startSegment: SegmentName?
  /// `CHECKPOINT LOCATION`: the checkpoint record replay reads first.
  public var checkpointLSN: LSN?
  /// `START TIMELINE` (11+); else the start segment's timeline.
  public var startTimeline: TimelineID
  /// `STOP WAL LOCATION`, only in `.backup` files: replay must get this far to be consistent.
  public var stopLSN: LSN?
  public var stopTimeline: TimelineID?
  public var label: String?
  /// `BACKUP FROM: standby`: taken from a standby, which writes no end-of-backup record; the
  /// backup is consistent at the `minRecoveryPoint` of the `pg_control` copied with it.
  public var isFromStandby = false

  /// Parses the text of a backup label or backup history file.
  ///
  /// - Throws: ``TimelineHistory/ParseError`` (a line number and what is wrong) when the start
  ///   location is missing or malformed.
  public init(text: String) throws(TimelineHistory.ParseError) {
    var start: (LSN, SegmentName?)?
    var checkpoint: LSN?
    var timeline: TimelineID?
    var stop: LSN?
    var stopTimeline: TimelineID?
    var label: String?
    var fromStandby = false
    for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      let key = line[..<colon]
      let value = line[line.index(after: colon)...].strippingWhitespace()
      switch key {
      case "START WAL LOCATION", "STOP WAL LOCATION":
        // "0/5000028 (file 000000010000000000000005)"
        let parts = value.split(separator: " ")
        guard let lsn = parts.first.flatMap({ LSN(String($0)) }) else {
          throw TimelineHistory.ParseError(line: offset + 1, message: "invalid \(key): \(value)")
        }
        let segment = parts.count >= 3 ? SegmentName(fileName: parts[2].prefix(24)) : nil
        if key == "START WAL LOCATION" { start = (lsn, segment) } else { stop = lsn }
      case "CHECKPOINT LOCATION": checkpoint = LSN(value)
      case "START TIMELINE": timeline = UInt32(value).map { TimelineID($0) }
      case "STOP TIMELINE": stopTimeline = UInt32(value).map { TimelineID($0) }
      case "LABEL": label = value
      case "BACKUP FROM": fromStandby = value == "standby"
      default: continue
      }
    }
    guard let start else {
      throw TimelineHistory.ParseError(line: 0, message: "no START WAL LOCATION line: not a backup label")
    }
    guard let startTimeline = timeline ?? start.1?.timeline else {
      throw TimelineHistory.ParseError(line: 0, message: "no START TIMELINE and no start segment name")
    }
    startLSN = start.0
    startSegment = start.1
    checkpointLSN = checkpoint
    self.startTimeline = startTimeline
    stopLSN = stop
    self.stopTimeline = stopTimeline
    self.label = label
    isFromStandby = fromStandby
  }
}
