import WALKit

/// The `walkit diff --json` document, documented in walkit-diff(1); change field names only
/// with a new schema version.
struct DiffJSON: Encodable {
  static let schema = "walkit.diff/1"

  struct Record: Encodable {
    var lsn: String
    var prev: String
    var xid: UInt32
    var rmgr: String
    var type: String
    var recordLength: UInt32
    var totalLength: UInt32
    var fpiLength: UInt32
  }

  struct Segment: Encodable {
    var segment: String
    @NullEncoded var fileA: String?
    @NullEncoded var fileB: String?
    var result: String
    @NullEncoded var firstDifferentLSN: String?
    @NullEncoded var firstDifferentOffset: UInt64?
    var detail: String
  }

  struct Beyond: Encodable {
    var bytes: UInt64
    var records: Int
    var commits: Int
    var transactions: Int
    var endLSN: String
  }

  struct Divergence: Encodable {
    var lsn: String
    @NullEncoded var recordA: Record?
    @NullEncoded var recordB: Record?
    @NullEncoded var timelineA: UInt32?
    @NullEncoded var timelineB: UInt32?
    @NullEncoded var isSwitchPoint: Bool?
    @NullEncoded var switchPoint: String?
    @NullEncoded var beyondA: Beyond?
    @NullEncoded var beyondB: Beyond?
    @NullEncoded var switchPointBeforeRange: String?
    @NullEncoded var beforeSharedWAL: String?
  }

  var schema = Self.schema
  @NullEncoded var identical: Bool?
  @NullEncoded var systemIdentifierA: String?
  @NullEncoded var systemIdentifierB: String?
  var onlyInA: [String] = []
  var onlyInB: [String] = []
  var same: [String] = []
  var differing: [Segment] = []
  var damaged: [Segment] = []
  var missingInA: [String] = []
  var missingInB: [String] = []
  var segments: [Segment] = []
  @NullEncoded var divergence: Divergence?
  @NullEncoded var error: String?

  init(_ report: ComparisonReport) {
    identical = report.isSameWAL
    systemIdentifierA = report.systemIdentifierA.map { String($0) }
    systemIdentifierB = report.systemIdentifierB.map { String($0) }
    onlyInA = report.onlyInA.map { Self.name($0) }
    onlyInB = report.onlyInB.map { Self.name($0) }
    same = report.same.map { Self.name($0) }
    segments = report.segments.map(Self.segment)
    differing = report.differing.map(Self.segment)
    damaged = report.damaged.map(Self.segment)
    missingInA = report.missingInA.map { Self.name($0) }
    missingInB = report.missingInB.map { Self.name($0) }
    divergence = report.divergence.map { divergence in
      Divergence(
        lsn: divergence.lsn.description, recordA: divergence.recordA.map(Self.record),
        recordB: divergence.recordB.map(Self.record), timelineA: divergence.timelineA?.rawValue,
        timelineB: divergence.timelineB?.rawValue, isSwitchPoint: divergence.isSwitchPoint,
        switchPoint: divergence.switchPoint?.description, beyondA: divergence.beyondA.map(Self.beyond),
        beyondB: divergence.beyondB.map(Self.beyond), switchPointBeforeRange: divergence.switchPointBeforeRange?.description,
        beforeSharedWAL: divergence.beforeSharedWAL?.description)
    }
  }

  private init(error: String) { self.error = error }

  static func failure(_ message: String) -> DiffJSON { DiffJSON(error: message) }

  static func name(_ segment: SegmentComparison) -> String {
    (segment.fileA?.name ?? segment.fileB?.name)?.description ?? String(segment.segment.rawValue)
  }

  static func segment(_ segment: SegmentComparison) -> Segment {
    Segment(segment: name(segment), fileA: segment.fileA?.path, fileB: segment.fileB?.path, result: segment.result.rawValue,
            firstDifferentLSN: segment.firstDifferentLSN?.description, firstDifferentOffset: segment.firstDifferentOffset,
            detail: segment.note)
  }

  static func record(_ record: RecordSummary) -> Record {
    Record(lsn: record.lsn.description, prev: record.previous.description, xid: record.xid,
           rmgr: record.resourceManager.name, type: record.typeName,
           recordLength: record.totalLength - record.fullPageImageLength, totalLength: record.totalLength,
           fpiLength: record.fullPageImageLength)
  }

  static func beyond(_ beyond: ComparisonReport.Beyond) -> Beyond {
    Beyond(bytes: beyond.bytes, records: beyond.records, commits: beyond.commits, transactions: beyond.transactions,
           endLSN: beyond.end.description)
  }
}
