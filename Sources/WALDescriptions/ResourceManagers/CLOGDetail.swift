import WALCore

/// CLOG (commit log) records: pages zeroed and truncations.
enum CLOGDetail: RecordDescriber {
  static func describe(_ info: UInt8, _ data: RecordBytes) -> String? {
    switch info {
    case 0x00: return u32(data, 0).map { "page \(Int32(bitPattern: $0))" }
    case 0x10:
      guard let page = u32(data, 0), let oldest = u32(data, 4) else { return nil }
      return "page \(Int32(bitPattern: page)); oldestXact \(oldest)"
    default: return nil
    }
  }
}
