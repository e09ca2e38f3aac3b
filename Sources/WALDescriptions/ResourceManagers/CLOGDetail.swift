import WALCore

/// CLOG (commit log) records: pages zeroed and truncations; page numbers are 64-bit from 17.
enum CLOGDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let wide = record.version.major >= 17
    switch record.header.info & 0xF0 {
    case 0x00:  // ZEROPAGE
      return pageNumber(data, wide: wide).map { "page \($0)" }
    case 0x10:  // TRUNCATE: pageno, oldestXact, oldestXactDb
      guard let page = pageNumber(data, wide: wide), let oldest = u32(data, wide ? 8 : 4) else { return nil }
      return "page \(page); oldestXact \(oldest)"
    default:
      return nil
    }
  }
}
