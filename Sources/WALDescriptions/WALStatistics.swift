import WALCore

/// Counts and sizes of records per resource manager and per record type, as pg_waldump's
/// `--stats` computes them.
public struct WALStatistics: Sendable {
  /// One row's numbers.
  public struct Bucket: Sendable, Equatable {
    public var count: UInt64 = 0
    /// `xl_tot_len` minus full-page image bytes.
    public var recordLength: UInt64 = 0
    /// Stored (compressed, hole-less) full-page image bytes.
    public var fullPageImageLength: UInt64 = 0

    mutating func add(_ other: Bucket) {
      count += other.count
      recordLength += other.recordLength
      fullPageImageLength += other.fullPageImageLength
    }

    mutating func count(recordLength: UInt64, fullPageImageLength: UInt64) {
      count += 1
      self.recordLength += recordLength
      self.fullPageImageLength += fullPageImageLength
    }
  }

  /// Per resource manager id: the sums of its record-type rows.
  public var byResourceManager: [Bucket] {
    (0..<256).map { id in
      byRecordType[(id * 16)..<(id * 16 + 16)].reduce(into: Bucket()) { total, row in total.add(row) }
    }
  }
  /// Per resource manager id and record-type bucket (`xl_info >> 4`; for Transaction
  /// `(xl_info >> 4) & 0x07`): index `id * 16 + bucket`.
  public private(set) var byRecordType = [Bucket](repeating: Bucket(), count: 256 * 16)
  /// The first record counted.
  public private(set) var start: LSN?
  /// Where the last record counted ends (the next segment's start after an XLOG SWITCH).
  public private(set) var end: LSN?
  /// The version whose names the rows take.
  public private(set) var version: WALVersion?

  public init() {}

  public mutating func add(_ record: WALRecord) {
    let id = Int(record.header.resourceManagerID)
    let fpi = UInt64(record.fullPageImageLength)
    let rec = UInt64(record.header.totalLength) - fpi
    var bucket = Int(record.header.info >> 4)
    if id == 1 { bucket &= 0x07 }
    byRecordType[id * 16 + bucket].count(recordLength: rec, fullPageImageLength: fpi)
    if start == nil { start = record.lsn }
    end = record.nextRecordAfterReplay
    version = version ?? record.version
  }

  /// Adds the counts of `later`, gathered from records that follow these.
  public mutating func merge(_ later: WALStatistics) {
    guard later.start != nil else { return }
    for index in 0..<byRecordType.count { byRecordType[index].add(later.byRecordType[index]) }
    start = start ?? later.start
    end = later.end ?? end
    version = version ?? later.version
  }

  /// The name of a record-type row, as pg_waldump prints it: `Heap/INSERT`, `XLOG/UNKNOWN (c0)`.
  public static func rowName(resourceManager id: UInt8, bucket: Int, version: WALVersion) -> String {
    ResourceManager(id: id).name + "/" + RecordTypeNames.displayName(resourceManager: id, info: UInt8(bucket << 4), version: version)
  }
}

extension WALRecord {
  /// Where replay continues after this record, as PostgreSQL's reader reports it (its
  /// `EndRecPtr`): the aligned end, or the next segment's start after an XLOG SWITCH.
  public var nextRecordAfterReplay: LSN {
    guard header.isSegmentSwitch else { return end.maxAligned }
    let size = geometry.segmentSize
    return LSN((lsn.rawValue / size + 1) * size)
  }
}
