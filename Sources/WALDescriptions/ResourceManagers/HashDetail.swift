import WALCore

/// Hash index records.
enum HashDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    switch record.header.info & 0xF0 {
    case 0x20: return u16(record.mainBytes, 0).map { "off \($0)" }  // INSERT
    case 0x50, 0xA0: return ""  // SPLIT_PAGE, SPLIT_CLEANUP: nothing to add
    default: return nil
    }
  }
}
