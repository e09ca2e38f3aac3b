import WALCore

/// Commit-timestamp records, as `committsdesc.c` writes them: page numbers are 64-bit from 17.
enum CommitTsDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let wide = record.version.major >= 17
    switch record.header.info & 0xF0 {
    case 0x00:  // ZEROPAGE: the page number
      return pageNumber(data, wide: wide).map { "\($0)" }
    case 0x10:  // TRUNCATE: pageno, oldestXid
      guard let page = pageNumber(data, wide: wide), let oldest = u32(data, wide ? 8 : 4) else { return nil }
      return "pageno \(page), oldestXid \(oldest)"
    case 0x20 where record.version.major <= 13:  // SETTS: timestamp, nodeid, mainxid, subxids
      guard let time = i64(data, 0), let node = u16(data, 8), let main = u32(data, 12) else { return nil }
      let subtransactions = (data.count - 16) / 4
      guard subtransactions >= 0, let ids = data.u32s(at: 16, count: subtransactions) else { return nil }
      return "set \(TimestampText.timestamp(time))/\(node) for: \(main)" + ids.map { ", \($0)" }.joined()
    default:
      return nil
    }
  }
}
