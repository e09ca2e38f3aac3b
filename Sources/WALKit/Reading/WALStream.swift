/// Reads the records of WAL files in order, for tools of your own.
///
/// ```swift
/// let stream = try WALStream(paths: ["archive/"])
/// let report = stream.forEachRecord { record in
///   print(record.lsn, record.resourceManager, record.header.totalLength)
/// }
/// ```
public struct WALStream: Sendable {
  public let inputs: WALInputs

  /// Lists `paths` (segment files, `.gz` or `.partial` segments, directories).
  ///
  /// - Throws: ``WALInputs/Error`` when a named path is missing or cannot be listed.
  public init(paths: [String]) throws(WALInputs.Error) {
    inputs = try WALInputs(paths: paths)
  }

  public init(_ inputs: WALInputs) { self.inputs = inputs }

  /// The timelines the file names show, in order.
  public var timelines: [TimelineID] { Array(Set(inputs.files.compactMap { $0.name?.timeline })).sorted() }

  /// Calls `body` with every valid record, timeline by timeline in segment order (or only on
  /// `timeline`), and returns what verification of the same files reports. The record's bytes
  /// are valid only during the call.
  ///
  /// A `.partial` segment is read only when no complete segment of the same name is present.
  /// Reading goes on past damage: after a bad record, the next record read is the first one
  /// that starts in the next segment.
  public func forEachRecord(timeline: TimelineID? = nil, _ body: (WALRecord) -> Void) -> VerificationReport {
    var selected = inputs
    let complete = Set(inputs.files.filter { !$0.isPartial }.compactMap(\.name))
    selected.files = inputs.files.filter { file in
      (timeline == nil || file.name?.timeline == timeline) && !(file.isPartial && file.name.map(complete.contains) == true)
    }
    let lookup = SegmentLookup(selected.files)
    let scanner = SegmentScanner()
    let scans = withoutActuallyEscaping(body) { body in
      selected.files.map { lookup.scan($0, with: scanner, visit: body) }
    }
    return VerificationReport(inputs: selected, scans: scans)
  }
}
