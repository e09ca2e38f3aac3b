import WALCore

/// RelMap records: a relation mapping file updated.
enum RelationMapDetail: RecordDescriber {
  static func describe(_ data: RecordBytes) -> String? {
    guard let database = u32(data, 0), let tablespace = u32(data, 4), let size = u32(data, 8) else { return nil }
    return "database \(database) tablespace \(tablespace) size \(Int32(bitPattern: size))"
  }
}
