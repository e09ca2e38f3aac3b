import WALCore

/// SP-GiST index records.
enum SPGistDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    guard record.header.info & 0xF0 == 0x10, let newPage = data.flag(0), let nulls = data.flag(1), let leaf = u16(data, 2),
      let head = u16(data, 4), let parent = u16(data, 6), let node = u16(data, 8)
    else { return nil }
    return "off: \(leaf), headoff: \(head), parentoff: \(parent), nodeI: \(node)" + (newPage ? " (newpage)" : "")
      + (nulls ? " (nulls)" : "")
  }
}
