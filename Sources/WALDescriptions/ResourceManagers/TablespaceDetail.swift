import WALCore

/// Tablespace records, as `tblspcdesc.c` writes them (the same in 10–18).
enum TablespaceDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    switch record.header.info & 0xF0 {
    case 0x00:  // CREATE: ts_id, then the location as a C string
      guard let id = u32(data, 0), let path = data.cString(from: 4) else { return nil }
      return "\(id) \"\(path)\""
    case 0x10:  // DROP: ts_id
      return u32(data, 0).map { "\($0)" }
    default:
      return nil
    }
  }
}
