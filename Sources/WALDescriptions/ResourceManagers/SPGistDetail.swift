import WALCore

/// SP-GiST index records, as `spgdesc.c` writes them: 14 rewrote every description as
/// `key: value` lists; 16 and 17 changed VACUUM_REDIRECT's horizon.
enum SPGistDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let major = record.version.major
    let legacy = major <= 13
    switch record.header.info & 0xF0 {
    case 0x00:  // CREATE_INDEX (10–11; unknown after): nothing to add
      return ""
    case 0x10:  // ADD_LEAF: newPage, storesNulls, offnumLeaf, offnumHeadLeaf, offnumParent, nodeI
      guard let newPage = data.flag(0), let nulls = data.flag(1), let leaf = u16(data, 2), let head = u16(data, 4),
        let parent = u16(data, 6), let node = u16(data, 8)
      else { return nil }
      let text = legacy
        ? "add leaf to page; off \(leaf); headoff \(head); parentoff \(parent)"
        : "off: \(leaf), headoff: \(head), parentoff: \(parent), nodeI: \(node)"
      return text + flags([(newPage, "newpage"), (nulls, "nulls")])
    case 0x20:  // MOVE_LEAFS: nMoves, newPage, replaceDead, storesNulls, offnumParent, nodeI
      guard let moves = u16(data, 0) else { return nil }
      if legacy { return "\(moves) leafs" }
      guard let newPage = data.flag(2), let replaceDead = data.flag(3), let nulls = data.flag(4),
        let parent = u16(data, 6), let node = u16(data, 8)
      else { return nil }
      return "nmoves: \(moves), parentoff: \(parent), nodeI: \(node)"
        + flags([(newPage, "newpage"), (replaceDead, "replacedead"), (nulls, "nulls")])
    case 0x30:  // ADD_NODE: offnum, offnumNew, newPage, parentBlk, offnumParent, nodeI
      guard let offset = u16(data, 0) else { return nil }
      if legacy { return "off \(offset)" }
      guard let new = u16(data, 2), let newPage = data.flag(4), let parentBlock = data.u8(5), let parent = u16(data, 6),
        let node = u16(data, 8)
      else { return nil }
      return "off: \(offset), newoff: \(new), parentBlk: \(Int8(bitPattern: parentBlock)), parentoff: \(parent), nodeI: \(node)"
        + flags([(newPage, "newpage")])
    case 0x40:  // SPLIT_TUPLE: offnumPrefix, offnumPostfix, newPage, postfixBlkSame
      guard let prefix = u16(data, 0), let postfix = u16(data, 2), let newPage = data.flag(4), let same = data.flag(5)
      else { return nil }
      if legacy { return "prefix off: \(prefix), postfix off: \(postfix) (same \(same ? 1 : 0), new \(newPage ? 1 : 0))" }
      return "prefixoff: \(prefix), postfixoff: \(postfix)" + flags([(newPage, "newpage"), (same, "same")])
    case 0x50:  // PICKSPLIT
      return pickSplit(data, legacy: legacy)
    case 0x60:  // VACUUM_LEAF: nDead, nPlaceholder, nMove, nChain
      if legacy { return "" }
      guard let counts = data.u16s(at: 0, count: 4) else { return nil }
      return "ndead: \(counts[0]), nplaceholder: \(counts[1]), nmove: \(counts[2]), nchain: \(counts[3])"
    case 0x70:  // VACUUM_ROOT: nDelete
      if legacy { return "" }
      return u16(data, 0).map { "ndelete: \($0)" }
    case 0x80:  // VACUUM_REDIRECT: nToPlaceholder, firstPlaceholder, horizon (, isCatalogRel)
      guard let count = u16(data, 0), let first = u16(data, 2), let xid = u32(data, 4) else { return nil }
      switch major {
      case ...13: return "newest XID \(xid)"
      case 14, 15: return "ntoplaceholder: \(count), firstplaceholder: \(first), newestredirectxid: \(xid)"
      case 16: return "ntoplaceholder: \(count), firstplaceholder: \(first), snapshotConflictHorizon: \(xid)"
      default:
        return data.flag(8).map {
          "ntoplaceholder: \(count), firstplaceholder: \(first), snapshotConflictHorizon: \(xid), isCatalogRel: \($0 ? "T" : "F")"
        }
      }
    default:
      return nil
    }
  }

  /// `spgxlogPickSplit`: isRootSplit, nDelete, nInsert, initSrc, initDest, offnumInner,
  /// initInner, storesNulls, innerIsParent, offnumParent, nodeI.
  static func pickSplit(_ data: RecordBytes, legacy: Bool) -> String? {
    guard let root = data.flag(0), let deleted = u16(data, 2), let inserted = u16(data, 4), let inner = u16(data, 8),
      let nulls = data.flag(11), let innerIsParent = data.flag(12), let parent = u16(data, 14), let node = u16(data, 16)
    else { return nil }
    if legacy { return "ndel \(deleted); nins \(inserted)" + flags([(innerIsParent, "innerIsParent"), (root, "isRootSplit")]) }
    return "ndelete: \(deleted), ninsert: \(inserted), inneroff: \(inner), parentoff: \(parent), nodeI: \(node)"
      + flags([(innerIsParent, "innerIsParent"), (nulls, "nulls"), (root, "isRootSplit")])
  }

  /// ` (name)` for each flag that is set, in order.
  static func flags(_ flags: [(Bool, String)]) -> String {
    flags.filter(\.0).map { " (\($0.1))" }.joined()
  }
}
