import WALCore

/// GiST index records, as `gistdesc.c` writes them.
enum GistDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    switch record.header.info & 0xF0 {
    case 0x00:  // PAGE_UPDATE: nothing to add
      return ""
    case 0x30:  // PAGE_SPLIT: gistxlogPageSplit's origrlink, orignsn, origleaf, then npage
      return record.mainBytes.u16(18).map { "page_split: splits to \($0) pages" }
    default:
      return nil
    }
  }
}
