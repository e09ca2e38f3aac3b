import FoundationEssentials
import WALKit

/// `walkit inspect --json`: one object per record per line. Field names are documented in
/// walkit-inspect(1); change them only with a new schema version.
enum RecordJSON {
  struct Image: Encodable {
    var length: Int
    var holeOffset: UInt16
    var holeLength: UInt16
    var compression: String
    var applied: Bool
  }

  struct Block: Encodable {
    var id: UInt8
    var relation: String
    var fork: String
    var block: UInt32
    var dataLength: Int
    var willInit: Bool
    @NullEncoded var image: Image?
  }

  struct Record: Encodable {
    var schema = "walkit.inspect.record/2"
    var lsn: String
    var end: String
    var prev: String
    var xid: UInt32
    var rmgr: String
    var type: String
    var info: UInt8
    var recordLength: UInt32
    var totalLength: UInt32
    var fpiLength: Int
    var mainDataLength: Int
    var blocks: [Block]
    var description: String
    var pgVersion: Int
    var timeline: UInt32
    /// The time the record carries, ISO 8601 in UTC; null for records without one.
    @NullEncoded var time: String?
  }

  static let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }()

  static func line(_ record: WALRecord) -> String {
    let value = Record(
      lsn: record.lsn.description, end: record.end.description, prev: record.header.previous.description,
      xid: record.header.xid, rmgr: record.resourceManager.name, type: record.typeName, info: record.header.info,
      recordLength: record.header.totalLength - UInt32(record.fullPageImageLength), totalLength: record.header.totalLength,
      fpiLength: record.fullPageImageLength, mainDataLength: record.mainDataRange.count,
      blocks: record.blocks.map { block in
        Block(id: block.id, relation: block.relation.description, fork: block.fork.description, block: block.blockNumber,
              dataLength: block.data.count, willInit: block.willInitialize,
              image: block.image.map {
                Image(length: $0.bytes.count, holeOffset: $0.holeOffset, holeLength: $0.holeLength,
                      compression: $0.compression.rawValue, applied: $0.isApplied)
              })
      },
      description: record.pgWaldumpDetail, pgVersion: record.version.major, timeline: record.timeline.rawValue,
      time: record.time.flatMap(TimestampText.iso8601))
    guard let data = try? encoder.encode(value) else { return "{}\n" }
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}

/// `walkit inspect --json --keep-going`: one line per place reading went on after damage, after
/// the records.
struct ResumptionJSON: Encodable {
  var schema = "walkit.inspect.resumption/1"
  var damagedLSN: String
  var resumedLSN: String
  var skippedBytes: UInt64

  init(_ resumption: SegmentScan.Resumption) {
    damagedLSN = resumption.damagedAt.description
    resumedLSN = resumption.resumedAt.description
    skippedBytes = resumption.skippedBytes
  }
}

/// `walkit inspect --stats --json`: one document.
struct StatsJSON: Encodable {
  struct Row: Encodable {
    var name: String
    var count: UInt64
    var recordSize: UInt64
    var fpiSize: UInt64
    var combinedSize: UInt64
  }

  var schema = "walkit.inspect.stats/1"
  @NullEncoded var startLSN: String?
  @NullEncoded var endLSN: String?
  var perRecord: Bool
  var rows: [Row]
  var total: Row

  init(_ statistics: WALStatistics, perRecord: Bool) {
    let version = statistics.version ?? WALVersion(major: 18)!
    startLSN = statistics.start?.description
    endLSN = statistics.end?.description
    self.perRecord = perRecord
    var rows: [Row] = []
    var total = Row(name: "Total", count: 0, recordSize: 0, fpiSize: 0, combinedSize: 0)
    let totals = statistics.byResourceManager
    for id in 0..<256 {
      let bucket = totals[id]
      total.count += bucket.count
      total.recordSize += bucket.recordLength
      total.fpiSize += bucket.fullPageImageLength
      if perRecord {
        for index in 0..<16 where statistics[resourceManager: UInt8(id), bucket: index].count > 0 {
          let row = statistics[resourceManager: UInt8(id), bucket: index]
          rows.append(Row(name: WALStatistics.rowName(resourceManager: UInt8(id), bucket: index, version: version), count: row.count,
                          recordSize: row.recordLength, fpiSize: row.fullPageImageLength,
                          combinedSize: row.recordLength + row.fullPageImageLength))
        }
      } else if bucket.count > 0 || id < ResourceManager.builtIn.count {
        rows.append(Row(name: ResourceManager(id: UInt8(id)).name, count: bucket.count, recordSize: bucket.recordLength,
                        fpiSize: bucket.fullPageImageLength, combinedSize: bucket.recordLength + bucket.fullPageImageLength))
      }
    }
    total.combinedSize = total.recordSize + total.fpiSize
    self.rows = rows
    self.total = total
  }
}
