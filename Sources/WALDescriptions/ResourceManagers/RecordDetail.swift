import WALCore

/// The rmgr-specific part of pg_waldump's description (`rm_desc`) for the record types walkit
/// describes so far; `nil` for the others, whose description is only their type name and block
/// references.
enum RecordDetail {
  /// Appends the description to a line being written; false (nothing appended) when walkit
  /// does not describe the record. Heap records, B-tree insertions and commits, most of a
  /// listing, are written straight as bytes.
  static func append(_ record: WALRecord, to bytes: TextBuffer) -> Bool {
    switch record.header.resourceManagerID {
    case 10: return HeapDetail.append(record, to: bytes)
    case 11 where AccessMethodDetail.isBtreeInsertion(record): return AccessMethodDetail.appendBtreeInsertion(record, to: bytes)
    case 1 where TransactionDetail.isCompletion(record): return TransactionDetail.appendCompletion(record, to: bytes)
    default:
      guard let text = describe(record) else { return false }
      LineFormatting.append(text, to: bytes)
      return true
    }
  }

  /// What a byte writer appends, as a string; `nil` when it appends nothing.
  static func text(_ write: (TextBuffer) -> Bool) -> String? {
    let bytes = TextBuffer(capacity: 256)
    return write(bytes) ? bytes.text : nil
  }

  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let info = record.header.info & 0xF0
    switch record.header.resourceManagerID {
    case 0: return xlog(info, data) ?? TransactionDetail.xlog(record)
    case 1: return TransactionDetail.transaction(record)
    case 3: return clog(info, data)
    case 4: return database(info, data, version: record.version)
    case 6: return multiXact(info, data)
    case 8: return TransactionDetail.standby(record)
    case 2: return storage(info, data, version: record.version)
    case 7: return info == 0x00 ? relationMap(data) : nil
    case 9: return AccessMethodDetail.heap2(record)
    case 10: return text { HeapDetail.append(record, to: $0) }
    case 11: return AccessMethodDetail.btree(record)
    case 12: return AccessMethodDetail.hash(record)
    case 13: return AccessMethodDetail.gin(record)
    case 14: return AccessMethodDetail.gist(record)
    case 16: return AccessMethodDetail.spgist(record)
    case 17: return AccessMethodDetail.brin(record)
    case 15: return info == 0x00 ? sequence(data) : nil
    case 21: return info == 0x00 ? logicalMessage(data) : nil
    default: return nil
    }
  }

  static func u32(_ data: RecordBytes, _ offset: Int) -> UInt32? { data.u32(offset) }

  static func u64(_ data: RecordBytes, _ offset: Int) -> UInt64? { data.u64(offset) }

  /// XLOG records whose description is one value.
  static func xlog(_ info: UInt8, _ data: RecordBytes) -> String? {
    switch info {
    case 0x30: return u32(data, 0).map { "\($0)" }  // NEXTOID
    case 0x20, 0x40, 0xA0, 0xB0: return ""  // NOOP, SWITCH, FPI_FOR_HINT, FPI: nothing to add
    case 0x50: return u64(data, 0).map { "\(LSN($0))" }  // BACKUP_END
    case 0x70:  // RESTORE_POINT: TimestampTz, then the name
      guard data.count > 8 else { return nil }
      return data.cString(from: 8)
    default: return nil
    }
  }

  /// `CATALOG_VERSION_NO` of each release, part of a tablespace's directory name
  /// (`PG_16_202307071`); only the versions checked against real WAL.
  static let catalogVersions: [Int: String] = [15: "202209061", 16: "202307071", 18: "202506291"]

  /// The path of a relation's fork the way `relpathperm` writes it.
  static func relationPath(_ relation: RelFileLocator, fork: ForkNumber, version: WALVersion? = nil) -> String? {
    let suffix = fork == .main ? "" : "_\(fork)"
    switch relation.tablespace {
    case 1663: return "base/\(relation.database)/\(relation.relation)\(suffix)"
    case 1664: return "global/\(relation.relation)\(suffix)"
    default:
      guard let version, let catalog = catalogVersions[version.major] else { return nil }
      return "pg_tblspc/\(relation.tablespace)/PG_\(version.major)_\(catalog)/\(relation.database)/\(relation.relation)\(suffix)"
    }
  }

  static func locator(_ data: RecordBytes, _ offset: Int) -> RelFileLocator? {
    guard let tablespace = u32(data, offset), let database = u32(data, offset + 4), let relation = u32(data, offset + 8)
    else { return nil }
    return RelFileLocator(tablespace: tablespace, database: database, relation: relation)
  }

  static func storage(_ info: UInt8, _ data: RecordBytes, version: WALVersion) -> String? {
    switch info {
    case 0x10:  // CREATE: RelFileLocator, ForkNumber
      guard let relation = locator(data, 0), let fork = u32(data, 12) else { return nil }
      return relationPath(relation, fork: ForkNumber(rawValue: UInt8(truncatingIfNeeded: fork)), version: version)
    case 0x20:  // TRUNCATE: BlockNumber, RelFileLocator, flags
      guard let blocks = u32(data, 0), let relation = locator(data, 4), let flags = u32(data, 16),
        let path = relationPath(relation, fork: .main, version: version)
      else { return nil }
      return "\(path) to \(blocks) blocks flags \(flags)"
    default: return nil
    }
  }

  static func clog(_ info: UInt8, _ data: RecordBytes) -> String? {
    switch info {
    case 0x00: return u32(data, 0).map { "page \(Int32(bitPattern: $0))" }
    case 0x10:
      guard let page = u32(data, 0), let oldest = u32(data, 4) else { return nil }
      return "page \(Int32(bitPattern: page)); oldestXact \(oldest)"
    default: return nil
    }
  }

  static func database(_ info: UInt8, _ data: RecordBytes, version: WALVersion) -> String? {
    guard version.major >= 15 else { return nil }
    switch info {
    case 0x00:  // CREATE_FILE_COPY: db, tablespace, source db, source tablespace
      guard let db = u32(data, 0), let tablespace = u32(data, 4), let sourceDB = u32(data, 8), let sourceTablespace = u32(data, 12)
      else { return nil }
      return "copy dir \(sourceTablespace)/\(sourceDB) to \(tablespace)/\(db)"
    case 0x10:  // CREATE_WAL_LOG: db, tablespace
      guard let db = u32(data, 0), let tablespace = u32(data, 4) else { return nil }
      return "create dir \(tablespace)/\(db)"
    case 0x20:  // DROP: db, ntablespaces, tablespaces[]
      guard let db = u32(data, 0), let count = u32(data, 4), count < 1 << 16,
        let tablespaces = data.u32s(at: 8, count: Int(count))
      else { return nil }
      return "dir" + tablespaces.map { " \($0)/\(db)" }.joined()
    default: return nil
    }
  }

  static func multiXact(_ info: UInt8, _ data: RecordBytes) -> String? {
    switch info {
    case 0x00, 0x10: return u32(data, 0).map { "\(Int32(bitPattern: $0))" }  // ZERO_OFF_PAGE, ZERO_MEM_PAGE
    case 0x20:  // CREATE_ID: mid, offset, nmembers, {xid, status}[]
      guard let id = u32(data, 0), let offset = u32(data, 4), let count = u32(data, 8), count < 1 << 16,
        let members = data.u32s(at: 12, count: 2 * Int(count))
      else { return nil }
      let statuses = ["keysh", "sh", "fornokeyupd", "forupd", "nokeyupd", "upd"]
      return "\(id) offset \(offset) nmembers \(count): " + (0..<Int(count)).map { index -> String in
        let status = Int(members[2 * index + 1])
        return "\(members[2 * index]) (\(status < statuses.count ? statuses[status] : "unknown")) "
      }.joined()
    default: return nil
    }
  }

  static func relationMap(_ data: RecordBytes) -> String? {
    guard let database = u32(data, 0), let tablespace = u32(data, 4), let size = u32(data, 8) else { return nil }
    return "database \(database) tablespace \(tablespace) size \(Int32(bitPattern: size))"
  }

  static func sequence(_ data: RecordBytes) -> String? {
    locator(data, 0).map { "rel \($0)" }
  }

  /// `xl_logical_message`: dbId, transactional, prefix_size, message_size, prefix\0 payload.
  static func logicalMessage(_ data: RecordBytes) -> String? {
    guard let transactional = data.flag(4), let prefixSize = u64(data, 8), let messageSize = u64(data, 16), prefixSize > 0,
      let prefixBytes = data.slice(24, count: prefixSize), let prefix = prefixBytes.string(0, count: prefixBytes.count - 1),
      let payload = data.slice(24 + prefixBytes.count, count: messageSize)
    else { return nil }
    let text = "\(transactional ? "transactional" : "non-transactional"), prefix \"\(prefix)\"; payload (\(messageSize) bytes): "
    let digits = Array("0123456789ABCDEF".utf8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(payload.count * 3)
    payload.forEachByte { byte in
      if !bytes.isEmpty { bytes.append(UInt8(ascii: " ")) }
      bytes.append(digits[Int(byte >> 4)])
      bytes.append(digits[Int(byte & 0x0F)])
    }
    return text + String(decoding: bytes, as: UTF8.self)
  }
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
