import WALCore

/// GiST index records, as `gistdesc.c` writes them: page deletion and reuse from 12,
/// `snapshotConflictHorizon` from 16, `isCatalogRel` shown from 17.
enum GistDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let modern = record.version.major >= 16
    switch record.header.info & 0xF0 {
    case 0x00, 0x50, 0x70:  // PAGE_UPDATE, CREATE_INDEX (10–11), ASSIGN_LSN: nothing to add
      return ""
    case 0x10:  // DELETE: horizon, ntodelete (, isCatalogRel)
      guard let xid = u32(data, 0), let count = u16(data, 4) else { return nil }
      guard modern else { return "delete: latestRemovedXid \(xid), nitems: \(count)" }
      guard record.version.major >= 17 else { return "delete: snapshotConflictHorizon \(xid), nitems: \(count)" }
      return data.flag(6).map { "delete: snapshotConflictHorizon \(xid), nitems: \(count), isCatalogRel \($0 ? "T" : "F")" }
    case 0x20:  // PAGE_REUSE: locator, block, 64-bit horizon (, isCatalogRel)
      guard let relation = locator(data, 0), let block = u32(data, 12), let horizon = u64(data, 16) else { return nil }
      let xid = "\(horizon >> 32):\(UInt32(truncatingIfNeeded: horizon))"
      guard modern else { return "rel \(relation); blk \(block); latestRemovedXid \(xid)" }
      guard record.version.major >= 17 else { return "rel \(relation); blk \(block); snapshotConflictHorizon \(xid)" }
      return data.flag(24).map { "rel \(relation); blk \(block); snapshotConflictHorizon \(xid), isCatalogRel \($0 ? "T" : "F")" }
    case 0x30:  // PAGE_SPLIT: gistxlogPageSplit's origrlink, orignsn, origleaf, then npage
      return data.u16(18).map { "page_split: splits to \($0) pages" }
    case 0x60:  // PAGE_DELETE: 64-bit deleteXid, downlink offset
      guard let xid = u64(data, 0), let downlink = u16(data, 8) else { return nil }
      return "deleteXid \(xid >> 32):\(UInt32(truncatingIfNeeded: xid)); downlink \(downlink)"
    default:
      return nil
    }
  }
}
