import WALCore

/// The rmgr-specific part of pg_waldump's description (`rm_desc`) for the record types walkit
/// describes so far; `nil` for the others, whose description is only their type name and block
/// references.
enum RecordDetail: RecordDescriber {
  /// Appends the description to a line being written; false (nothing appended) when walkit
  /// does not describe the record. Heap records, B-tree insertions and commits, most of a
  /// listing, are written straight as bytes.
  static func append(_ record: WALRecord, to bytes: TextBuffer) -> Bool {
    switch record.header.resourceManagerID {
    case 10: return HeapDetail.append(record, to: bytes)
    case 11 where BtreeDetail.isInsertion(record): return BtreeDetail.appendInsertion(record, to: bytes)
    case 1 where TransactionDetail.isCompletion(record): return TransactionDetail.appendCompletion(record, to: bytes)
    default:
      guard let text = describe(record) else { return false }
      LineFormatting.append(text, to: bytes)
      return true
    }
  }

  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let info = record.header.info & 0xF0
    switch record.header.resourceManagerID {
    case 0: return XLogDetail.describe(record)
    case 1: return TransactionDetail.transaction(record)
    case 3: return CLOGDetail.describe(info, data)
    case 4: return DatabaseDetail.describe(info, data, version: record.version)
    case 6: return MultiXactDetail.describe(info, data)
    case 8: return StandbyDetail.describe(record)
    case 2: return StorageDetail.describe(info, data, version: record.version)
    case 7: return info == 0x00 ? RelationMapDetail.describe(data) : nil
    case 9: return Heap2Detail.describe(record)
    case 10: return text { HeapDetail.append(record, to: $0) }
    case 11: return BtreeDetail.describe(record)
    case 12: return HashDetail.describe(record)
    case 13: return GinDetail.describe(record)
    case 14: return GistDetail.describe(record)
    case 16: return SPGistDetail.describe(record)
    case 17: return BRINDetail.describe(record)
    case 15: return info == 0x00 ? SequenceDetail.describe(data) : nil
    case 21: return info == 0x00 ? LogicalMessageDetail.describe(data) : nil
    default: return nil
    }
  }

  /// `CATALOG_VERSION_NO` of each release, part of a tablespace's directory name
  /// (`PG_16_202307071`); only the versions checked against real WAL.
  static let catalogVersions: [Int: String] = [15: "202209061", 16: "202307071", 18: "202506291"]

}

extension WALRecord {
  /// pg_waldump's description of the record: its type name, the rmgr-specific detail where
  /// walkit has it, and the block references (`, blkref #0: rel 1663/5/16384 blk 0 FPW`).
  public var pgWaldumpDescription: String {
    let bytes = TextBuffer(capacity: 256)
    appendPgWaldumpDescription(to: bytes)
    return bytes.text
  }

  /// The line pg_waldump prints for the record:
  /// `rmgr: Heap        len (rec/tot):     54/    54, tx:        735, lsn: 0/01A5C2D8, prev 0/01A5C2A0, desc: …`
  public var pgWaldumpLine: String {
    let bytes = TextBuffer(capacity: 256)
    appendPgWaldumpLine(to: bytes)
    return bytes.text
  }

  /// The record line without block references, then one line per block reference in
  /// detail, as `pg_waldump --bkp-details` prints them (each line ends with a newline).
  public var pgWaldumpLineWithBlockDetails: String {
    let bytes = TextBuffer(capacity: 256)
    appendPgWaldumpPrefix(to: bytes)
    appendPgWaldumpDescription(to: bytes, withBlocks: false)
    var text = bytes.text + "\n"
    for block in blocks {
      text += "\tblkref #\(block.id): rel \(block.relation) fork \(block.fork) blk \(block.blockNumber)"
      if let image = block.image {
        text += " (FPW\(image.isApplied ? "" : " for WAL verification")); hole: offset: \(image.holeOffset), length: \(image.holeLength)"
        if image.compression != .none {
          text += ", compression saved: \(8192 - Int(image.holeLength) - image.bytes.count), method: \(image.compression.rawValue)"
        }
      }
      text += "\n"
    }
    return text
  }

  /// The rmgr-specific part of pg_waldump's description alone: what follows the record type,
  /// without the block references (empty where walkit does not describe the record).
  public var pgWaldumpDetail: String {
    RecordDetail.text { RecordDetail.append(self, to: $0) } ?? ""
  }

  /// True when walkit reproduces pg_waldump's rmgr-specific description of this record.
  public var hasExactDescription: Bool { RecordDetail.describe(self) != nil }
}
