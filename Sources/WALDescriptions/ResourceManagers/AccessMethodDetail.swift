import WALCore

/// Descriptions of heap and index records, in each version's wording: PostgreSQL 16 rewrote
/// them as `key: value` lists; earlier versions use terse phrases.
enum AccessMethodDetail {
  static func u16(_ data: RecordBytes, _ offset: Int) -> UInt16? { data.u16(offset) }

  static func isBtreeInsertion(_ record: WALRecord) -> Bool { record.header.info & 0xF0 <= 0x20 }

  /// INSERT_LEAF, INSERT_UPPER, INSERT_META: the offset.
  static func appendBtreeInsertion(_ record: WALRecord, to bytes: TextBuffer) -> Bool {
    guard let offset = u16(record.mainBytes, 0) else { return false }
    LineFormatting.append(record.version.major >= 16 ? "off: " : "off ", to: bytes)
    LineFormatting.appendDecimal(UInt64(offset), to: bytes)
    return true
  }

  static func heap2(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let modern = record.version.major >= 16
    switch record.header.info & 0x70 {
    case 0x10 where record.version.major <= 15:  // PRUNE (14–15): horizon, nredirected, ndead
      guard record.version.major >= 14, let xid = RecordDetail.u32(data, 0), let redirected = u16(data, 4), let dead = u16(data, 6)
      else { return nil }
      return "latestRemovedXid \(xid) nredirected \(redirected) ndead \(dead)"
    case 0x10, 0x20, 0x30:
      return Heap2Detail.describe(record)
    case 0x40:  // VISIBLE: cutoff xid, flags
      guard let xid = RecordDetail.u32(data, 0), let flags = data.u8(4) else { return nil }
      return modern ? "snapshotConflictHorizon: \(xid), flags: \(Hex.prefixed(flags))" : "cutoff xid \(xid) flags \(Hex.prefixed(flags))"
    case 0x50:  // MULTI_INSERT: flags, ntuples, offsets
      guard let flags = data.u8(0), let count = u16(data, 2) else { return nil }
      guard modern else { return "\(count) tuples flags \(Hex.prefixed(flags))" }
      var text = "ntuples: \(count), flags: \(Hex.prefixed(flags))"
      let isInit = record.header.info & 0x80 != 0
      if !(record.blocks.first?.hasImage ?? false) && !isInit {
        guard let offsets = data.u16s(at: 4, count: Int(count)) else { return nil }
        text += ", offsets: [" + offsets.map { String($0) }.joined(separator: ", ") + "]"
      }
      return text
    case 0x70:  // NEW_CID: top xid, cmin, cmax, combo, locator, tid
      guard data.count >= 34, let cmin = RecordDetail.u32(data, 4), let cmax = RecordDetail.u32(data, 8),
        let combo = RecordDetail.u32(data, 12), let relation = RecordDetail.locator(data, 16),
        let high = u16(data, 28), let low = u16(data, 30), let offset = u16(data, 32)
      else { return nil }
      let block = UInt32(high) << 16 | UInt32(low)
      return modern
        ? "rel: \(relation), tid: \(block)/\(offset), cmin: \(cmin), cmax: \(cmax), combo: \(combo)"
        : "rel \(relation); tid \(block)/\(offset); cmin: \(cmin), cmax: \(cmax), combo: \(combo)"
    default:
      return nil
    }
  }

  static func btree(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let modern = record.version.major >= 16
    switch record.header.info & 0xF0 {
    case 0x00, 0x10, 0x20:
      return RecordDetail.text { appendBtreeInsertion(record, to: $0) }
    case 0x30 where record.version.major >= 13, 0x40 where record.version.major >= 13:  // SPLIT_L, SPLIT_R: level, firstrightoff, newitemoff, postingoff
      guard let level = RecordDetail.u32(data, 0), let right = u16(data, 4), let new = u16(data, 6), let posting = u16(data, 8)
      else { return nil }
      return modern
        ? "level: \(level), firstrightoff: \(right), newitemoff: \(new), postingoff: \(posting)"
        : "level \(level), firstrightoff \(right), newitemoff \(new), postingoff \(posting)"
    case 0x60 where record.version.major >= 13:  // DEDUP: nintervals
      return u16(data, 0).map { modern ? "nintervals: \($0)" : "nintervals \($0)" }
    case 0xB0:  // MARK_PAGE_HALFDEAD: poffset, leaf, left, right, topparent
      guard let leaf = RecordDetail.u32(data, 4), let left = RecordDetail.u32(data, 8), let right = RecordDetail.u32(data, 12),
        let top = RecordDetail.u32(data, 16)
      else { return nil }
      return modern ? "topparent: \(top), leaf: \(leaf), left: \(left), right: \(right)"
                    : "topparent \(top); leaf \(leaf); left \(left); right \(right)"
    case 0x80 where record.version.major >= 14, 0x90 where record.version.major >= 14:  // UNLINK_PAGE(_META)
      guard data.count >= 36, let left = RecordDetail.u32(data, 0), let right = RecordDetail.u32(data, 4),
        let level = RecordDetail.u32(data, 8), let safe = RecordDetail.u64(data, 16), let leafLeft = RecordDetail.u32(data, 24),
        let leafRight = RecordDetail.u32(data, 28), let top = RecordDetail.u32(data, 32)
      else { return nil }
      let xid = "\(safe >> 32):\(UInt32(truncatingIfNeeded: safe))"
      return modern
        ? "left: \(left), right: \(right), level: \(level), safexid: \(xid), leafleft: \(leafLeft), leafright: \(leafRight), leaftopparent: \(top)"
        : "left \(left); right \(right); level \(level); safexid \(xid); leafleft \(leafLeft); leafright \(leafRight); leaftopparent \(top)"
    case 0xE0 where record.version.major >= 14:  // META_CLEANUP: the metapage in block 0's data
      guard let block = record.blocks.first, let pages = RecordDetail.u32(record.checkedBytes(in: block.data), 20) else { return nil }
      return modern ? "last_cleanup_num_delpages: \(pages)" : "last_cleanup_num_delpages \(pages)"
    case 0xA0:  // NEWROOT: root block, level
      return RecordDetail.u32(data, 4).map { modern ? "level: \($0)" : "lev \($0)" }
    case 0xC0 where record.version.major >= 13:  // VACUUM: ndeleted, nupdated (16 lists offsets unless logged whole)
      guard let deleted = u16(data, 0), let updated = u16(data, 2) else { return nil }
      guard modern else { return "ndeleted \(deleted); nupdated \(updated)" }
      var text = "ndeleted: \(deleted), nupdated: \(updated)"
      if let block = record.blocks.first, !block.data.isEmpty {
        // The offsets of deleted items; updated items (posting-list shrinks) are not described yet.
        guard updated == 0, let list = Heap2Detail.offsets(record.checkedBytes(in: block.data), at: 0, count: Int(deleted)) else { return nil }
        text += ", deleted:" + list + ", updated: []"
      }
      return text
    default:
      return nil
    }
  }

  static func hash(_ record: WALRecord) -> String? {
    switch record.header.info & 0xF0 {
    case 0x20: return u16(record.mainBytes, 0).map { "off \($0)" }  // INSERT
    case 0x50, 0xA0: return ""  // SPLIT_PAGE, SPLIT_CLEANUP: nothing to add
    default: return nil
    }
  }

  /// GiST and GIN record types whose description is only their name.
  static func gist(_ record: WALRecord) -> String? { record.header.info & 0xF0 == 0x00 ? "" : nil }  // PAGE_UPDATE
  static func gin(_ record: WALRecord) -> String? {
    [0x40, 0x60, 0x70].contains(record.header.info & 0xF0) ? "" : nil  // VACUUM_PAGE, UPDATE_META_PAGE, INSERT_LISTPAGE
  }

  static func spgist(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    guard record.header.info & 0xF0 == 0x10, let newPage = data.flag(0), let nulls = data.flag(1), let leaf = u16(data, 2),
      let head = u16(data, 4), let parent = u16(data, 6), let node = u16(data, 8)
    else { return nil }
    return "off: \(leaf), headoff: \(head), parentoff: \(parent), nodeI: \(node)" + (newPage ? " (newpage)" : "")
      + (nulls ? " (nulls)" : "")
  }

  static func brin(_ record: WALRecord) -> String? {
    guard record.header.info & 0x70 == 0x30, let offset = u16(record.mainBytes, 0) else { return nil }
    return "offnum \(offset)"
  }
}
