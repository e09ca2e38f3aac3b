import WALCore

/// Sequence records.
enum SequenceDetail: RecordDescriber {
  static func describe(_ data: RecordBytes) -> String? {
    locator(data, 0).map { "rel \($0)" }
  }
}
