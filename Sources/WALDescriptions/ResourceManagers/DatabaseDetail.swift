import WALCore

/// Database records: databases created and dropped.
enum DatabaseDetail: RecordDescriber {
  static func describe(_ info: UInt8, _ data: RecordBytes, version: WALVersion) -> String? {
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
}
