import WALCore
import WALIO
import WALReader
import WALDescriptions

/// One segment a standby would restore, in order: which timeline's file recovery picks for it
/// (PostgreSQL's `XLogFileReadAnyTLI`) and where that file is, if anywhere — or a run of
/// consecutive segments no source has.
public struct RecoveryStep: Sendable {
  /// The segment recovery asks for: the file it finds, or the newest timeline's name when none.
  public var name: SegmentName
  public var segment: SegmentNumber
  /// The file, and the index of the source holding it; `nil` when no source has it.
  public var file: WALFile?
  public var source: Int?
  /// Segments the step stands for: 1, or more for a run of missing segments from `segment` on
  /// (all of `name`'s timeline).
  public var count: UInt64 = 1
  /// The name of the run's last segment (`name` for a single segment).
  public var lastName: SegmentName

  init(name: SegmentName, segment: SegmentNumber, file: WALFile?, source: Int?) {
    self.name = name
    self.segment = segment
    self.file = file
    self.source = source
    lastName = name
  }

  /// A run of `count` missing segments from `name` on.
  init(missing name: SegmentName, segment: SegmentNumber, count: UInt64, geometry: WALGeometry) {
    self.init(name: name, segment: segment, file: nil, source: nil)
    self.count = count
    lastName = SegmentName(timeline: name.timeline, segment: lastSegment, geometry: geometry) ?? name
  }

  /// The last segment of the step's run.
  public var lastSegment: SegmentNumber { SegmentNumber(segment.rawValue + count - 1) }
}

/// The timeline a standby ends up on and the segments it reads to get there.
public struct RecoveryPath: Sendable {
  /// The timeline whose history recovery follows.
  public var targetTimeline: TimelineID
  /// The target's history as LSN ranges per timeline, oldest first.
  public var spans: [TimelineHistory.Span]
  /// Present segments one step each, missing ones as runs: the work grows with the files there
  /// are, not with the span between their names.
  public var steps: [RecoveryStep]

  /// Computes the path from segment `first` through `last`: for each segment, the newest
  /// timeline of `spans` that began at or before it, not older than the timeline of the file
  /// read before, whose file exists — as PostgreSQL's recovery picks files.
  static func build(spans: [TimelineHistory.Span], from first: SegmentNumber, through last: SegmentNumber,
                    geometry: WALGeometry, catalog: WALCatalog) -> RecoveryPath
  {
    let begins = spans.map { geometry.segment(containing: $0.begin) }
    // The segments where the answer can change: those with a file on a timeline of the path,
    // and those where a timeline begins. Between two of them, every segment is missing.
    let timelines = Set(spans.map(\.timeline))
    var points = Set(begins.filter { $0 > first && $0 <= last })
    for name in catalog.segments.keys where timelines.contains(name.timeline) {
      if let segment = name.segment(in: geometry), segment >= first, segment <= last { points.insert(segment) }
    }
    points.insert(first)
    let ordered = points.sorted()

    var steps: [RecoveryStep] = []
    steps.reserveCapacity(ordered.count)
    var currentTimeline = TimelineID(0)
    for (index, segment) in ordered.enumerated() {
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
      let nextPoint = index + 1 < ordered.count ? ordered[index + 1] : SegmentNumber(last.rawValue &+ 1)
      if let picked {
        steps.append(picked)
        if nextPoint.rawValue > segment.rawValue + 1, let name = expectedName(after: segment, spans: spans, begins: begins,
                                                                                   current: currentTimeline, geometry: geometry) {
          appendMissing(RecoveryStep(missing: name, segment: SegmentNumber(segment.rawValue + 1),
                                     count: nextPoint.rawValue - segment.rawValue - 1, geometry: geometry), to: &steps)
        }
      } else if let expected {
        appendMissing(RecoveryStep(missing: expected, segment: segment, count: nextPoint.rawValue - segment.rawValue,
                                   geometry: geometry), to: &steps)
      }
    }
    return RecoveryPath(targetTimeline: spans.last?.timeline ?? TimelineID(1), spans: spans, steps: steps)
  }

  /// Adds a run of missing segments, joined to the one before when it goes on from it.
  private static func appendMissing(_ run: RecoveryStep, to steps: inout [RecoveryStep]) {
    if var previous = steps.last, previous.file == nil, previous.name.timeline == run.name.timeline,
      previous.lastSegment.rawValue + 1 == run.segment.rawValue
    {
      previous.count += run.count
      previous.lastName = run.lastName
      steps[steps.count - 1] = previous
    } else {
      steps.append(run)
    }
  }

  /// The name recovery asks for first at the segment after `segment`, when no file is there.
  private static func expectedName(after segment: SegmentNumber, spans: [TimelineHistory.Span], begins: [SegmentNumber],
                                   current: TimelineID, geometry: WALGeometry) -> SegmentName? {
    let next = SegmentNumber(segment.rawValue + 1)
    for (span, begin) in zip(spans, begins).reversed() where span.timeline >= current && next >= begin {
      return SegmentName(timeline: span.timeline, segment: next, geometry: geometry)
    }
    return nil
  }
}
