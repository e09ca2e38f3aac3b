import WALCore

/// Generic WAL records (`genericdesc.c`): its loop describes the main data, which
/// `generic_xlog.c` never writes (the changes are block data), so the description is empty.
enum GenericDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    var text = ""
    var position = 0
    let data = record.mainBytes
    while position < data.count {
      guard let offset = u16(data, position), let length = u16(data, position + 2) else { return nil }
      position += 4 + Int(length)
      text += "offset \(offset), length \(length)" + (position < data.count ? "; " : "")
    }
    return text
  }
}
