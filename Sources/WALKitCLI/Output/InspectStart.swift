import WALKit

/// Where `inspect` starts, as pg_waldump reports it: the segment or timeline asked for that is
/// not there, the first record when the start LSN is not one, and no record at all.
struct InspectStart {
  /// The start LSN asked for (`-s`, or STARTSEG's first byte).
  var requested: LSN?
  /// The WAL's segment size, once known: a start at a segment's first byte is never announced.
  var segmentSize: UInt64?

  /// What the start names that the source does not have; `nil` when it has it. A start LSN
  /// (`requested`, without STARTSEG) needs the segment that holds it, as pg_waldump opens it
  /// first: walkit does not start at a later one.
  static func whatIsMissing(in inputs: WALInputs, source: String, startSegment: String?, requested: LSN?,
                            timeline: TimelineID?) -> String? {
    guard !inputs.isEmpty else { return WALInputs.nothingToRead(in: [source]) }
    if startSegment == nil, let requested, requested != .invalid, let geometry = WALGeometry.announced(by: inputs.files) {
      let segment = geometry.segment(containing: requested)
      let onTimeline = inputs.files.compactMap(\.name).filter { timeline == nil || $0.timeline == timeline }
      if !onTimeline.contains(where: { $0.segment(in: geometry) == segment }) {
        let named = timeline ?? onTimeline.map(\.timeline).min() ?? TimelineID(1)
        guard let name = SegmentName(timeline: named, segment: segment, geometry: geometry) else {
          return "no WAL segment holds \(requested) in \(source)"
        }
        return "could not find file \"\(name)\" in \(source)"
      }
    }
    if let startSegment {
      let name = SegmentName(fileName: String(startSegment.split(separator: "/").last ?? "").prefix(24))
      if let name {
        guard let file = inputs.files.first(where: { $0.name == name }) else {
          return "could not find file \"\(name)\" in \(source)"
        }
        if let unreadable = inputs.problems.first(where: { $0.location.segment == name }) { return unreadable.description }
        if let reason = FileAccess.cannotRead(file.path) { return "\(file.path): cannot read: \(reason)" }
      }
    }
    if let timeline, !inputs.files.contains(where: { $0.name?.timeline == timeline }) {
      let present = Set(inputs.files.compactMap { $0.name?.timeline }).sorted().map { "\($0)" }.joined(separator: ", ")
      return "no WAL segment of timeline \(timeline) in \(source) (its segments are of timeline\(present.contains(",") ? "s" : "") \(present))"
    }
    return nil
  }

  /// pg_waldump's `first record is after X, at Y, skipping over N bytes`, when the start LSN is
  /// not a record's and not a segment's start: where the pg_waldump of the WAL's version
  /// prints it (standard output before 17, standard error from 17), and on standard error
  /// when standard output is JSON.
  func announce(firstRecord: LSN, version: WALVersion, to output: BufferedOutput, json: Bool) {
    guard let requested, requested != .invalid, firstRecord != requested,
      requested.rawValue % (segmentSize ?? 1) != 0
    else { return }
    let skipped = firstRecord.distance(from: requested)
    let line = "first record is after \(requested), at \(firstRecord), skipping over \(skipped) byte\(skipped == 1 ? "" : "s")\n"
    if json || version.major >= 17 { printError("walkit inspect: " + line) } else { output.write(line) }
  }

  /// Why no record was read at all.
  func nothingFound(in source: String) -> String {
    if let requested, requested != .invalid { return "could not find a valid record at or after \(requested) in \(source)" }
    return "no valid record in \(source)"
  }
}
