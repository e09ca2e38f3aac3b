/// One segment a standby would restore, in order: which timeline's file recovery picks for it
/// (PostgreSQL's `XLogFileReadAnyTLI`) and where that file is, if anywhere.
public struct RecoveryStep: Sendable {
  /// The segment recovery asks for: the file it finds, or the newest timeline's name when none.
  public var name: SegmentName
  public var segment: SegmentNumber
  /// The file, and the index of the source holding it; `nil` when no source has it.
  public var file: WALFile?
  public var source: Int?
}

/// The timeline a standby ends up on and the segments it reads to get there.
public struct RecoveryPath: Sendable {
  /// The timeline whose history recovery follows.
  public var targetTimeline: TimelineID
  /// The target's history as LSN ranges per timeline, oldest first.
  public var spans: [TimelineHistory.Span]
  public var steps: [RecoveryStep]

  /// Computes the path from segment `first` through `last`: for each segment, the newest
  /// timeline of `spans` that began at or before it, not older than the timeline of the file
  /// read before, whose file exists — as PostgreSQL's recovery picks files.
  static func build(spans: [TimelineHistory.Span], from first: SegmentNumber, through last: SegmentNumber,
                    geometry: WALGeometry, catalog: WALCatalog) -> RecoveryPath
  {
    var steps: [RecoveryStep] = []
    steps.reserveCapacity(Int(clamping: last.rawValue &- first.rawValue &+ 1))
    var currentTimeline = TimelineID(0)
    var segment = first
    while segment <= last {
      var picked: RecoveryStep?
      var expected: SegmentName?
      for span in spans.reversed() {
        if span.timeline < currentTimeline { break }
        if segment < geometry.segment(containing: span.begin) { continue }
        guard let name = SegmentName(timeline: span.timeline, segment: segment, geometry: geometry) else { continue }
        if expected == nil { expected = name }
        if let found = catalog.segments[name] {
          picked = RecoveryStep(name: name, segment: segment, file: found.file, source: found.source)
          currentTimeline = span.timeline
          break
        }
      }
      if let picked {
        steps.append(picked)
      } else if let expected {
        steps.append(RecoveryStep(name: expected, segment: segment, file: nil, source: nil))
      }
      guard let next = segment.next else { break }
      segment = next
    }
    return RecoveryPath(targetTimeline: spans.last?.timeline ?? TimelineID(1), spans: spans, steps: steps)
  }
}
