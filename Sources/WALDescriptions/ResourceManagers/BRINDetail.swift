import WALCore

/// BRIN index records, as `brindesc.c` writes them (the same in 10–18; the INIT bit does not
/// change the description).
enum BRINDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    switch record.header.info & 0x70 {
    case 0x00:  // CREATE_INDEX: pagesPerRange, version
      guard let pagesPerRange = u32(data, 0), let version = u16(data, 4) else { return nil }
      return "v\(version) pagesPerRange \(pagesPerRange)"
    case 0x10:  // INSERT: heapBlk, pagesPerRange, offnum
      return insertion(data, at: 0).map { "heapBlk \($0.block) pagesPerRange \($0.pages) offnum \($0.offset)" }
    case 0x20:  // UPDATE: oldOffnum, then an insertion
      guard let old = u16(data, 0), let insert = insertion(data, at: 4) else { return nil }
      return "heapBlk \(insert.block) pagesPerRange \(insert.pages) old offnum \(old), new offnum \(insert.offset)"
    case 0x30:  // SAMEPAGE_UPDATE: offnum
      return u16(data, 0).map { "offnum \($0)" }
    case 0x40:  // REVMAP_EXTEND: targetBlk
      return u32(data, 0).map { "targetBlk \($0)" }
    case 0x50:  // DESUMMARIZE: pagesPerRange, heapBlk, regOffset
      guard let pagesPerRange = u32(data, 0), let block = u32(data, 4), let offset = u16(data, 8) else { return nil }
      return "pagesPerRange \(pagesPerRange), heapBlk \(block), page offset \(offset)"
    default:
      return nil
    }
  }

  /// `xl_brin_insert`: heapBlk, pagesPerRange, offnum.
  static func insertion(_ data: RecordBytes, at base: Int) -> (block: UInt32, pages: UInt32, offset: UInt16)? {
    guard let block = u32(data, base), let pages = u32(data, base + 4), let offset = u16(data, base + 8) else { return nil }
    return (block, pages, offset)
  }
}
