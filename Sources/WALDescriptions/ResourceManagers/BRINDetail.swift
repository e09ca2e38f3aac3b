import WALCore

/// BRIN index records.
enum BRINDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    guard record.header.info & 0x70 == 0x30, let offset = u16(record.mainBytes, 0) else { return nil }
    return "offnum \(offset)"
  }
}
