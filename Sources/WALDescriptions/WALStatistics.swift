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
    (0...UInt8.max).map { id in
      (0..<16).reduce(into: Bucket()) { total, bucket in total.add(self[resourceManager: id, bucket: bucket]) }
    }
  }

  /// The row of a resource manager's record type: `bucket` is `xl_info >> 4` (for Transaction
  /// `(xl_info >> 4) & 0x07`), 0 to 15.
  public subscript(resourceManager id: UInt8, bucket bucket: Int) -> Bucket {
    precondition((0..<16).contains(bucket), "a record-type bucket is 0 to 15")
    let group = Int(groupOf[Int(id)])
    return group == 0 ? Bucket() : rows[(group &- 1) &* 16 &+ bucket]
  }

  /// Where the 16 rows of each resource manager id start in `rows` (in groups of 16), plus
  /// one; 0 for a manager none of whose records was counted. Rows are kept for the few managers
  /// a stream of WAL uses, not for all 256: 98 kB of rows were fresh pages for every thread
  /// that counts, more than a lone segment's records cost to count.
  private var groupOf = [UInt16](repeating: 0, count: 256)
  private var rows: [Bucket] = []
  /// The first record counted, or the first read when ``startReading(at:version:)`` said so.
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
    rows[firstRow(of: id) &+ bucket].count(recordLength: rec, fullPageImageLength: fpi)
    if start == nil { start = record.lsn }
    end = record.nextRecordAfterReplay
    version = version ?? record.version
  }

  /// Where reading started: the first record read, counted or not (filtered out), and the
  /// version that wrote it. pg_waldump's statistics run from there.
  public mutating func startReading(at first: LSN, version: WALVersion?) {
    start = first
    self.version = self.version ?? version
  }

  /// Where the rows of resource manager `id` start in `rows`, adding them at its first record.
  private mutating func firstRow(of id: Int) -> Int {
    let group = Int(groupOf[id])
    if group != 0 { return (group &- 1) &* 16 }
    rows.append(contentsOf: repeatElement(Bucket(), count: 16))
    groupOf[id] = UInt16(rows.count / 16)
    return rows.count &- 16
  }

  /// Adds the counts of `later`, gathered from records that follow these.
  public mutating func merge(_ later: WALStatistics) {
    guard later.start != nil else { return }
    for id in 0..<256 where later.groupOf[id] != 0 {
      let first = firstRow(of: id), laterFirst = (Int(later.groupOf[id]) - 1) * 16
      for bucket in 0..<16 { rows[first + bucket].add(later.rows[laterFirst + bucket]) }
    }
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
