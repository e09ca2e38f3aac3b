import WALCore

/// GIN index records.
enum GinDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    [0x40, 0x60, 0x70].contains(record.header.info & 0xF0) ? "" : nil  // VACUUM_PAGE, UPDATE_META_PAGE, INSERT_LISTPAGE
  }
}
