import WALCore

/// GiST index records.
enum GistDetail: RecordDescriber {
  /// PAGE_UPDATE, whose description is only its name.
  static func describe(_ record: WALRecord) -> String? { record.header.info & 0xF0 == 0x00 ? "" : nil }
}
