import WALCore

/// B-tree records, in each version's wording (16 writes `key: value` lists).
enum BtreeDetail: RecordDescriber {
  static func isInsertion(_ record: WALRecord) -> Bool { record.header.info & 0xF0 <= 0x20 }

  /// INSERT_LEAF, INSERT_UPPER, INSERT_META: the offset.
  static func appendInsertion(_ record: WALRecord, to bytes: TextBuffer) -> Bool {
    guard let offset = u16(record.mainBytes, 0) else { return false }
    LineFormatting.append(record.version.major >= 16 ? "off: " : "off ", to: bytes)
    LineFormatting.appendDecimal(UInt64(offset), to: bytes)
    return true
  }

  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let modern = record.version.major >= 16
    switch record.header.info & 0xF0 {
    case 0x00, 0x10, 0x20:
      return text { appendInsertion(record, to: $0) }
    case 0x30 where record.version.major >= 13, 0x40 where record.version.major >= 13:  // SPLIT_L, SPLIT_R: level, firstrightoff, newitemoff, postingoff
      guard let level = u32(data, 0), let right = u16(data, 4), let new = u16(data, 6), let posting = u16(data, 8)
      else { return nil }
      return modern
        ? "level: \(level), firstrightoff: \(right), newitemoff: \(new), postingoff: \(posting)"
        : "level \(level), firstrightoff \(right), newitemoff \(new), postingoff \(posting)"
    case 0x60 where record.version.major >= 13:  // DEDUP: nintervals
      return u16(data, 0).map { modern ? "nintervals: \($0)" : "nintervals \($0)" }
    case 0xB0:  // MARK_PAGE_HALFDEAD: poffset, leaf, left, right, topparent
      guard let leaf = u32(data, 4), let left = u32(data, 8), let right = u32(data, 12),
        let top = u32(data, 16)
      else { return nil }
      return modern ? "topparent: \(top), leaf: \(leaf), left: \(left), right: \(right)"
                    : "topparent \(top); leaf \(leaf); left \(left); right \(right)"
    case 0x80 where record.version.major >= 14, 0x90 where record.version.major >= 14:  // UNLINK_PAGE(_META)
      guard data.count >= 36, let left = u32(data, 0), let right = u32(data, 4),
        let level = u32(data, 8), let safe = u64(data, 16), let leafLeft = u32(data, 24),
        let leafRight = u32(data, 28), let top = u32(data, 32)
      else { return nil }
      let xid = "\(safe >> 32):\(UInt32(truncatingIfNeeded: safe))"
      return modern
        ? "left: \(left), right: \(right), level: \(level), safexid: \(xid), leafleft: \(leafLeft), leafright: \(leafRight), leaftopparent: \(top)"
        : "left \(left); right \(right); level \(level); safexid \(xid); leafleft \(leafLeft); leafright \(leafRight); leaftopparent \(top)"
    case 0xE0 where record.version.major >= 14:  // META_CLEANUP: the metapage in block 0's data
      guard let block = record.blocks.first, let pages = u32(record.checkedBytes(in: block.data), 20) else { return nil }
      return modern ? "last_cleanup_num_delpages: \(pages)" : "last_cleanup_num_delpages \(pages)"
    case 0xA0:  // NEWROOT: root block, level
      return u32(data, 4).map { modern ? "level: \($0)" : "lev \($0)" }
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
}
