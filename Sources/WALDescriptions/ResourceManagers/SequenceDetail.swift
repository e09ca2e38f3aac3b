import WALCore

/// Sequence records.
enum SequenceDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    guard record.header.info & 0xF0 == 0x00 else { return nil }
    return locator(record.mainBytes, 0).map { "rel \($0)" }
  }
}
