import WALCore

/// Database records: databases created and dropped. 15 added the WAL_LOG strategy and
/// renumbered the types; 12 put every pair in tablespace/database order.
enum DatabaseDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let major = record.version.major
    switch (record.header.info & 0xF0, major >= 15) {
    case (0x00, _):  // CREATE (CREATE_FILE_COPY): db, tablespace, source db, source tablespace
      guard let db = u32(data, 0), let tablespace = u32(data, 4), let sourceDB = u32(data, 8),
        let sourceTablespace = u32(data, 12)
      else { return nil }
      guard major >= 12 else { return "copy dir \(sourceDB)/\(sourceTablespace) to \(db)/\(tablespace)" }
      return "copy dir \(sourceTablespace)/\(sourceDB) to \(tablespace)/\(db)"
    case (0x10, true):  // CREATE_WAL_LOG: db, tablespace
      guard let db = u32(data, 0), let tablespace = u32(data, 4) else { return nil }
      return "create dir \(tablespace)/\(db)"
    case (0x10, false) where major <= 12:  // DROP: db, tablespace
      guard let db = u32(data, 0), let tablespace = u32(data, 4) else { return nil }
      return major >= 12 ? "dir \(tablespace)/\(db)" : "dir \(db)/\(tablespace)"
    case (0x10, false), (0x20, true):  // DROP: db, ntablespaces, tablespaces[]
      guard let db = u32(data, 0), let count = i32(data, 4), count >= 0, count < 1 << 16,
        let tablespaces = data.u32s(at: 8, count: Int(count))
      else { return nil }
      return "dir" + tablespaces.map { " \($0)/\(db)" }.joined()
    default:
      return nil
    }
  }
}
