import WALKit

/// The `walkit verify --json` document. Field names are documented in walkit-verify(1);
/// change them only with a new schema version.
struct VerifyJSON: Encodable {
  static let schema = "walkit.verify/1"

  struct Segment: Encodable {
    var name: String?
    var file: String
    var timeline: UInt32?
    var pgVersion: Int?
    var status: String
    var records: Int
    @NullEncoded var firstLSN: String?
    @NullEncoded var validThroughLSN: String?
    @NullEncoded var segmentSize: UInt64?
    var compressed: Bool
    var compression: String
    var problems: Int
    /// For an object in object storage: its size and ETag as listed (absent for local files).
    var object: StoredObject?
  }

  struct StoredObject: Encodable {
    var size: UInt64
    var etag: String
  }

  struct Problem: Encodable {
    var kind: String
    /// `problem` or `note`.
    var severity: String
    @NullEncoded var file: String?
    @NullEncoded var segment: String?
    @NullEncoded var lsn: String?
    @NullEncoded var offset: UInt64?
    var message: String
  }

  struct Summary: Encodable {
    var segments: Int
    var records: Int
    var problems: Int
    var notes: Int
    var clean: Bool
    var statuses: [String: Int]
    var timelines: [UInt32]
    var problemKinds: [String: Int]
  }

  var schema = Self.schema
  var segments: [Segment]
  var problems: [Problem]
  var otherFiles: [String]
  var repositories: [RepositoryJSON]
  @NullEncoded var summary: Summary?
  @NullEncoded var error: String?

  init(_ report: VerificationReport) {
    segments = report.segments.map { segment in
      Segment(
        name: segment.name?.description, file: segment.file.path, timeline: segment.name?.timeline.rawValue,
        pgVersion: segment.scan.version?.major, status: segment.status.rawValue, records: segment.scan.recordCount,
        firstLSN: segment.scan.firstRecord?.description, validThroughLSN: segment.scan.validThrough?.description,
        segmentSize: segment.scan.geometry?.segmentSize, compressed: segment.scan.isCompressed,
        compression: segment.scan.compression.rawValue,
        problems: segment.problems.count, object: segment.file.object.map { StoredObject(size: $0.size, etag: $0.etag) })
    }
    problems = report.problems.map(Problem.init)
    otherFiles = report.otherFiles
    repositories = report.repositories.map(RepositoryJSON.init)
    summary = Summary(
      segments: report.segments.count, records: report.recordCount,
      problems: report.problems.count { $0.severity == .problem },
      notes: report.problems.count { $0.severity == .note }, clean: report.isClean,
      statuses: Dictionary(uniqueKeysWithValues: report.statusCounts.map { ($0.key.rawValue, $0.value) }),
      timelines: report.timelines.map(\.rawValue),
      problemKinds: report.problems.reduce(into: [:]) { $0[$1.kind.rawValue, default: 0] += 1 })
    error = nil
  }

  private init(error: String) {
    segments = []
    problems = []
    otherFiles = []
    repositories = []
    summary = nil
    self.error = error
  }

  /// The document for a run that could not finish.
  static func failure(_ message: String) -> VerifyJSON { VerifyJSON(error: message) }
}

extension VerifyJSON.Problem {
  init(_ problem: WALProblem) {
    kind = problem.kind.rawValue
    severity = problem.severity.rawValue
    file = problem.location.file
    segment = problem.location.segment?.description
    lsn = problem.location.lsn?.description
    offset = problem.location.fileOffset
    message = problem.message
  }
}
