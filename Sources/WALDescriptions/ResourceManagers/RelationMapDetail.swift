import WALCore

/// RelMap records: a relation mapping file updated.
enum RelationMapDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    guard record.header.info & 0xF0 == 0x00, let database = u32(data, 0), let tablespace = u32(data, 4),
      let size = i32(data, 8)
    else { return nil }
    return "database \(database) tablespace \(tablespace) size \(size)"
  }
}
