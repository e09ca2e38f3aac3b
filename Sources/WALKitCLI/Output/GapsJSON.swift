import WALKit

/// The `walkit gaps --json` document, documented in walkit-gaps(1); change field names only
/// with a new schema version.
struct GapsJSON: Encodable {
  static let schema = "walkit.gaps/2"

  struct Point: Encodable {
    @NullEncoded var lsn: String?
    var timeline: UInt32
  }

  struct Start: Encodable {
    var lsn: String
    var timeline: UInt32
    var origin: String
    @NullEncoded var backupEndLSN: String?
    @NullEncoded var reachesConsistency: Bool?
    @NullEncoded var dataDirectory: DataDirectoryJSON?
  }

  struct Range: Encodable {
    var first: String
    var last: String
    var segments: UInt64
    var bytes: UInt64
  }

  struct Step: Encodable {
    var segment: String
    /// The last segment of a run of missing segments (the segment itself otherwise).
    var lastSegment: String
    var segments: UInt64
    var timeline: UInt32
    var status: String
    @NullEncoded var source: String?
    @NullEncoded var file: String?
    @NullEncoded var validThroughLSN: String?
  }

  var schema = Self.schema
  @NullEncoded var continuous: Bool?
  @NullEncoded var start: Start?
  @NullEncoded var target: Point?
  @NullEncoded var newestTimeline: UInt32?
  @NullEncoded var endOfWALLSN: String?
  @NullEncoded var reachableLSN: String?
  @NullEncoded var firstProblem: VerifyJSON.Problem?
  var missingRanges: [Range] = []
  var problems: [VerifyJSON.Problem] = []
  var path: [Step] = []
  var sources: [String] = []
  var repositories: [RepositoryJSON] = []
  @NullEncoded var recoveryTarget: RecoveryTargetJSON?
  @NullEncoded var recoveryStop: RecoveryStopJSON?
  @NullEncoded var catchUp: CatchUpJSON?
  @NullEncoded var checkedContent: Bool?
  @NullEncoded var error: String?

  init(_ report: GapReport) {
    continuous = report.continuous
    start = Start(lsn: report.start.lsn.description, timeline: report.start.timeline.rawValue, origin: report.start.origin,
                  backupEndLSN: report.start.backupEnd?.description, reachesConsistency: report.reachesConsistency,
                  dataDirectory: report.start.dataDirectory.map(DataDirectoryJSON.init))
    target = Point(lsn: report.targetLSN?.description, timeline: report.targetTimeline.rawValue)
    newestTimeline = report.newestTimeline.rawValue
    endOfWALLSN = report.endOfWAL?.description
    reachableLSN = report.reachableLSN.description
    firstProblem = report.blockingProblem.map(VerifyJSON.Problem.init)
    missingRanges = report.missingRanges.map {
      Range(first: $0.first.description, last: $0.last.description, segments: $0.count, bytes: $0.bytes)
    }
    problems = report.problems.map(VerifyJSON.Problem.init)
    path = report.path.map { step in
      Step(segment: step.step.name.description, lastSegment: step.step.lastName.description,
           segments: step.step.count, timeline: step.step.name.timeline.rawValue, status: step.status.rawValue,
           source: step.source, file: step.step.file?.path, validThroughLSN: step.scan?.validThrough?.description)
    }
    sources = report.sources.map(\.path)
    repositories = report.sources.compactMap(\.repository).map(RepositoryJSON.init)
    recoveryTarget = report.recoveryTarget.map { RecoveryTargetJSON(target: GapAnalysis.describe($0.target), inclusive: $0.inclusive) }
    recoveryStop = report.recoveryStop.map(RecoveryStopJSON.init)
    catchUp = report.catchUp.map(CatchUpJSON.init)
    checkedContent = report.checkedContent
    error = nil
  }

  private init(error: String) {
    self.error = error
  }

  /// The document for a run that could not finish.
  static func failure(_ message: String) -> GapsJSON { GapsJSON(error: message) }
}
