import WALCore

/// B-tree records, in each version's wording: 13 added deduplication and posting lists, 14
/// 64-bit xids on deleted pages, 16 writes `key: value` lists.
enum BtreeDetail: RecordDescriber {
  /// INSERT_LEAF, INSERT_UPPER, INSERT_META, and INSERT_POST from 13.
  static func isInsertion(_ record: WALRecord) -> Bool {
    let info = record.header.info & 0xF0
    return info <= 0x20 || (info == 0x50 && record.version.major >= 13)
  }

  /// The inserted item's offset.
  static func appendInsertion(_ record: WALRecord, to bytes: TextBuffer) -> Bool {
    guard let offset = u16(record.mainBytes, 0) else { return false }
    LineFormatting.append(record.version.major >= 16 ? "off: " : "off ", to: bytes)
    LineFormatting.appendDecimal(UInt64(offset), to: bytes)
    return true
  }

  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let major = record.version.major
    let modern = major >= 16
    let info = record.header.info & 0xF0
    if isInsertion(record) { return text { appendInsertion(record, to: $0) } }
    switch info {
    case 0x30, 0x40:  // SPLIT_L, SPLIT_R
      return split(data, major: major)
    case 0x50 where major <= 11, 0x60 where major <= 11:  // 10's and 11's SPLIT_L_ROOT / _HIGHKEY, SPLIT_R_ROOT / _HIGHKEY
      return split(data, major: major)
    case 0x60:  // DEDUP: nintervals
      return u16(data, 0).map { modern ? "nintervals: \($0)" : "nintervals \($0)" }
    case 0x70:
      return delete(record)
    case 0xB0:  // MARK_PAGE_HALFDEAD: poffset, leaf, left, right, topparent
      guard let leaf = u32(data, 4), let left = u32(data, 8), let right = u32(data, 12), let top = u32(data, 16)
      else { return nil }
      return modern ? "topparent: \(top), leaf: \(leaf), left: \(left), right: \(right)"
                    : "topparent \(top); leaf \(leaf); left \(left); right \(right)"
    case 0x80, 0x90:  // UNLINK_PAGE, UNLINK_PAGE_META
      return unlink(data, major: major)
    case 0xA0:  // NEWROOT: root block, level
      return u32(data, 4).map { modern ? "level: \($0)" : "lev \($0)" }
    case 0xC0:
      return vacuum(record)
    case 0xD0:  // REUSE_PAGE: locator, block, horizon (64-bit from 14; isCatalogRel shown from 17)
      guard let relation = locator(data, 0) else { return nil }
      guard major >= 14 else { return u32(data, 16).map { "rel \(relation); latestRemovedXid \($0)" } }
      guard let horizon = u64(data, 16) else { return nil }
      let xid = "\(horizon >> 32):\(UInt32(truncatingIfNeeded: horizon))"
      guard modern else { return "rel \(relation); latestRemovedXid \(xid)" }
      guard major >= 17 else { return "rel: \(relation), snapshotConflictHorizon: \(xid)" }
      guard let catalog = data.flag(24) else { return nil }
      return "rel: \(relation), snapshotConflictHorizon: \(xid), isCatalogRel: \(catalog ? "T" : "F")"
    case 0xE0 where major >= 11:  // META_CLEANUP: the metapage in block 0's data
      guard let block = record.blocks.first else { return nil }
      let metapage = record.checkedBytes(in: block.data)
      guard major >= 14 else {
        // 12 put a version field first.
        guard let oldest = u32(metapage, major >= 12 ? 20 : 16), let tuples = u64(metapage, 24) else { return nil }
        return "oldest_btpo_xact \(oldest); last_cleanup_num_heap_tuples: " + format("%f", Double(bitPattern: tuples))
      }
      guard let pages = u32(metapage, 20) else { return nil }
      return modern ? "last_cleanup_num_delpages: \(pages)" : "last_cleanup_num_delpages \(pages)"
    default:
      return nil
    }
  }

  /// `xl_btree_split`: level, first right offset, new item offset (12+), posting offset (13+).
  static func split(_ data: RecordBytes, major: Int) -> String? {
    guard let level = u32(data, 0), let right = u16(data, 4), let new = u16(data, 6) else { return nil }
    guard major >= 13 else { return "level \(level), firstright \(right), newitemoff \(new)" }
    guard let posting = u16(data, 8) else { return nil }
    return major >= 16
      ? "level: \(level), firstrightoff: \(right), newitemoff: \(new), postingoff: \(posting)"
      : "level \(level), firstrightoff \(right), newitemoff \(new), postingoff \(posting)"
  }

  /// DELETE: items removed outside VACUUM (by index scans' hints, and bottom-up from 14).
  static func delete(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    switch record.version.major {
    case ...11: return i32(data, 12).map { "\($0) items" }
    case 12:
      guard let xid = u32(data, 0), let count = i32(data, 4) else { return nil }
      return "\(count) items, latest removed xid \(xid)"
    case 13:
      guard let xid = u32(data, 0), let count = u32(data, 4) else { return nil }
      return "latestRemovedXid \(xid); ndeleted \(count)"
    case 14, 15:
      guard let xid = u32(data, 0), let deleted = u16(data, 4), let updated = u16(data, 6) else { return nil }
      return "latestRemovedXid \(xid); ndeleted \(deleted); nupdated \(updated)"
    case 16:
      guard let xid = u32(data, 0), let deleted = u16(data, 4), let updated = u16(data, 6),
        let items = deletedAndUpdated(record, deleted: Int(deleted), updated: Int(updated))
      else { return nil }
      return "snapshotConflictHorizon: \(xid), ndeleted: \(deleted), nupdated: \(updated)" + items
    default:
      guard let xid = u32(data, 0), let deleted = u16(data, 4), let updated = u16(data, 6), let catalog = data.flag(8)
      else { return nil }
      var text = "snapshotConflictHorizon: \(xid), ndeleted: \(deleted), nupdated: \(updated), isCatalogRel: \(catalog ? "T" : "F")"
      guard let items = deletedAndUpdated(record, deleted: Int(deleted), updated: Int(updated)) else { return nil }
      text += items
      return text
    }
  }

  /// VACUUM: items removed by VACUUM, with posting lists shrunk from 13.
  static func vacuum(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let major = record.version.major
    guard major >= 13 else { return u32(data, 0).map { "lastBlockVacuumed \($0)" } }
    guard let deleted = u16(data, 0), let updated = u16(data, 2) else { return nil }
    guard major >= 16 else { return "ndeleted \(deleted); nupdated \(updated)" }
    guard let items = deletedAndUpdated(record, deleted: Int(deleted), updated: Int(updated)) else { return nil }
    return "ndeleted: \(deleted), nupdated: \(updated)" + items
  }

  /// `delvacuum_desc` (16+): the deleted offsets, then each updated posting list's offset and
  /// the positions of the TIDs it loses; nothing when the record carries no data for block 0
  /// (logged whole instead).
  static func deletedAndUpdated(_ record: WALRecord, deleted: Int, updated: Int) -> String? {
    guard let block = record.blocks.first(where: { $0.id == 0 }), block.hasData else { return "" }
    let data = record.checkedBytes(in: block.data)
    guard let deletedList = Heap2Detail.offsets(data, at: 0, count: deleted),
      let updatedOffsets = data.u16s(at: 2 * deleted, count: updated)
    else { return nil }
    var position = 2 * (deleted + updated)
    var parts: [String] = []
    for offset in updatedOffsets {
      guard let count = u16(data, position), let positions = data.u16s(at: position + 2, count: Int(count)) else { return nil }
      parts.append("{ off: \(offset), nptids: \(count), ptids: [" + positions.map { String($0) }.joined(separator: ", ") + "] }")
      position += 2 + 2 * Int(count)
    }
    return ", deleted:" + deletedList + ", updated: [" + parts.joined(separator: ", ") + "]"
  }

  /// UNLINK_PAGE(_META): the page's siblings, and the leaf's when an internal page goes; the
  /// xid that makes the page safe to recycle is 64-bit from 14.
  static func unlink(_ data: RecordBytes, major: Int) -> String? {
    let modern = major >= 16
    guard major >= 14 else {
      guard let words = data.u32s(at: 0, count: 6) else { return nil }
      return "left \(words[0]); right \(words[1]); btpo_xact \(words[5]); leafleft \(words[2]); leafright \(words[3]); "
        + "topparent \(words[4])"
    }
    guard let left = u32(data, 0), let right = u32(data, 4), let level = u32(data, 8), let safe = u64(data, 16),
      let leafLeft = u32(data, 24), let leafRight = u32(data, 28), let top = u32(data, 32)
    else { return nil }
    let xid = "\(safe >> 32):\(UInt32(truncatingIfNeeded: safe))"
    return modern
      ? "left: \(left), right: \(right), level: \(level), safexid: \(xid), leafleft: \(leafLeft), leafright: \(leafRight), leaftopparent: \(top)"
      : "left \(left); right \(right); level \(level); safexid \(xid); leafleft \(leafLeft); leafright \(leafRight); leaftopparent \(top)"
  }
}
