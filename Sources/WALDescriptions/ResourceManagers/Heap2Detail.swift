import WALCore

/// Heap2 records: pruning, vacuuming and freezing (whose layout changed in 16 and again in 17),
/// visibility, multi-inserts, logical rewrites and new command ids.
enum Heap2Detail: RecordDescriber {
  /// `array_desc` of offsets: ` [5, 10, 15]`.
  static func offsets(_ data: RecordBytes, at offset: Int, count: Int) -> String? {
    guard let values = data.u16s(at: offset, count: count) else { return nil }
    return " [" + values.map { String($0) }.joined(separator: ", ") + "]"
  }

  /// Freeze plans and their offsets: ` [{ xmax: 0, infomask: 11010, infomask2: 32775, ntuples: 13, offsets: [..] }]`.
  static func plans(_ data: RecordBytes, at offset: Int, count: Int, offsetsAt start: Int) -> String? {
    var position = start
    var parts: [String] = []
    for index in 0..<count {
      guard let base = RecordBytes.offset(offset, index: index, stride: 12), let xmax = u32(data, base), let infomask2 = u16(data, base + 4), let infomask = u16(data, base + 6),
        let tuples = u16(data, base + 10), let list = offsets(data, at: position, count: Int(tuples))
      else { return nil }
      parts.append("{ xmax: \(xmax), infomask: \(infomask), infomask2: \(infomask2), ntuples: \(tuples), offsets:\(list) }")
      position += 2 * Int(tuples)
    }
    return " [" + parts.joined(separator: ", ") + "]"
  }

  static func pruneVacuumFreeze(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let major = record.version.major
    let block = record.blocks.first.map { record.checkedBytes(in: $0.data) }
    switch record.header.info & 0x70 {
    case 0x10 where major == 16:  // PRUNE: horizon, nredirected, ndead; offsets in block 0
      guard let xid = u32(data, 0), let redirected = u16(data, 4), let dead = u16(data, 6) else { return nil }
      var text = "snapshotConflictHorizon: \(xid), nredirected: \(redirected), ndead: \(dead)"
      if let block, !block.isEmpty {
        let unused = (block.count / 2) - 2 * Int(redirected) - Int(dead)
        guard unused >= 0 else { return nil }
        guard let pairs = redirections(block, at: 0, count: Int(redirected)) else { return nil }
        text += ", nunused: \(unused), redirected: [" + pairs + "]"
        guard let deadList = offsets(block, at: 4 * Int(redirected), count: Int(dead)),
          let unusedList = offsets(block, at: 4 * Int(redirected) + 2 * Int(dead), count: unused)
        else { return nil }
        text += ", dead:" + deadList + ", unused:" + unusedList
      }
      return text
    case 0x20 where major <= 16:  // VACUUM (14–16): nunused; offsets in block 0
      guard let unused = u16(data, 0) else { return nil }
      guard major >= 16 else { return "nunused \(unused)" }
      var text = "nunused: \(unused)"
      if let block, !block.isEmpty {
        guard let list = offsets(block, at: 0, count: Int(unused)) else { return nil }
        text += ", unused:" + list
      }
      return text
    case 0x30 where major <= 16:  // FREEZE_PAGE (14–16)
      guard let xid = u32(data, 0), let count = u16(data, 4) else { return nil }
      guard major >= 16 else { return "cutoff xid \(xid) ntuples \(count)" }
      var text = "snapshotConflictHorizon: \(xid), nplans: \(count)"
      if let block, !block.isEmpty {
        guard let list = plans(block, at: 0, count: Int(count), offsetsAt: 12 * Int(count)) else { return nil }
        text += ", plans:" + list
      }
      return text
    case 0x10 where major >= 17, 0x20 where major >= 17, 0x30 where major >= 17:  // PRUNE_ON_ACCESS, _VACUUM_SCAN, _VACUUM_CLEANUP
      return prune17(record, block: block)
    default:
      return nil
    }
  }

  /// Redirections, pairs of offsets: `5->7, 9->12`.
  static func redirections(_ data: RecordBytes, at offset: Int, count: Int) -> String? {
    guard let values = data.u16s(at: offset, count: 2 * count) else { return nil }
    return (0..<count).map { "\(values[2 * $0])->\(values[2 * $0 + 1])" }.joined(separator: ", ")
  }

  enum PruneFlag {
    static let catalog: UInt8 = 1 << 1, horizon: UInt8 = 1 << 3, plans: UInt8 = 1 << 4
    static let redirections: UInt8 = 1 << 5, dead: UInt8 = 1 << 6, unused: UInt8 = 1 << 7
  }

  /// `xl_heap_prune` of 17+: reason, flags, an optional horizon, and the item lists in block 0.
  static func prune17(_ record: WALRecord, block: RecordBytes?) -> String? {
    let data = record.mainBytes
    guard let flags = data.u8(1) else { return nil }
    var text = ""
    if flags & PruneFlag.horizon != 0 {
      guard let xid = u32(data, 2) else { return nil }
      text += "snapshotConflictHorizon: \(xid)"
    }
    text += ", isCatalogRel: " + (flags & PruneFlag.catalog != 0 ? "T" : "F")
    guard let block, !block.isEmpty else { return text }
    var cursor = 0
    var planCount = 0, plansAt = 0
    if flags & PruneFlag.plans != 0 {
      guard let count = u16(block, 0) else { return nil }
      planCount = Int(count)
      plansAt = 4
      cursor = 4 + 12 * planCount
    }
    func items(_ flag: UInt8, width: Int) -> (count: Int, at: Int)? {
      guard flags & flag != 0 else { return (0, cursor) }
      guard let count = u16(block, cursor) else { return nil }
      let at = cursor + 2
      cursor = at + 2 * width * Int(count)
      return (Int(count), at)
    }
    guard let redirected = items(PruneFlag.redirections, width: 2), let dead = items(PruneFlag.dead, width: 1),
      let unused = items(PruneFlag.unused, width: 1), block.count >= cursor
    else { return nil }
    text += ", nplans: \(planCount), nredirected: \(redirected.count), ndead: \(dead.count), nunused: \(unused.count)"
    if planCount > 0 {
      guard let list = plans(block, at: plansAt, count: planCount, offsetsAt: cursor) else { return nil }
      text += ", plans:" + list
    }
    if redirected.count > 0 {
      guard let pairs = redirections(block, at: redirected.at, count: redirected.count) else { return nil }
      text += ", redirected: [" + pairs + "]"
    }
    if dead.count > 0, let list = offsets(block, at: dead.at, count: dead.count) { text += ", dead:" + list }
    if unused.count > 0, let list = offsets(block, at: unused.at, count: unused.count) { text += ", unused:" + list }
    return text
  }

  /// True for the Heap2 records ``appendCommon(_:to:)`` writes: visibility and multi-inserts,
  /// a third of a bulk load's listing, and 14–15's prunes, a sixth of an OLTP one's.
  static func isCommon(_ record: WALRecord) -> Bool {
    let operation = record.header.info & 0x70
    return operation == 0x40 || operation == 0x50 || (operation == 0x10 && (14...15).contains(record.version.major))
  }

  /// ``describe(_:)`` of a record ``isCommon(_:)`` accepts, written straight as bytes.
  static func appendCommon(_ record: WALRecord, to bytes: TextBuffer) -> Bool {
    let data = record.mainBytes
    let major = record.version.major
    let modern = major >= 16
    typealias F = LineFormatting
    switch record.header.info & 0x70 {
    case 0x10 where (14...15).contains(major):  // PRUNE: horizon, nredirected, ndead
      guard let xid = u32(data, 0), let redirected = u16(data, 4), let dead = u16(data, 6) else { return false }
      HeapDetail.field("latestRemovedXid ", xid, to: bytes)
      HeapDetail.field(" nredirected ", redirected, to: bytes)
      HeapDetail.field(" ndead ", dead, to: bytes)
    case 0x40:  // VISIBLE: cutoff xid, flags
      guard let xid = u32(data, 0), let flags = data.u8(4) else { return false }
      HeapDetail.field(modern ? "snapshotConflictHorizon: " : "cutoff xid ", xid, to: bytes)
      F.append(modern ? ", flags: " : " flags ", to: bytes)
      if major >= 12 { F.appendHex2(flags, to: bytes) } else { F.appendDecimal(UInt64(flags), to: bytes) }
    case 0x50:  // MULTI_INSERT: flags, ntuples, offsets
      guard let flags = data.u8(0), let count = u16(data, 2) else { return false }
      guard modern else {
        F.appendDecimal(UInt64(count), to: bytes)
        F.append(" tuples", to: bytes)
        if major >= 12 {
          F.append(" flags ", to: bytes)
          F.appendHex2(flags, to: bytes)
        }
        return true
      }
      let isInit = record.header.info & 0x80 != 0
      let listsOffsets = (record.blocks.first { $0.id == 0 }?.hasData ?? false) && !isInit
      guard let offsets = listsOffsets ? data.u16s(at: 4, count: Int(count)) : [] else { return false }
      HeapDetail.field("ntuples: ", count, to: bytes)
      F.append(", flags: ", to: bytes)
      F.appendHex2(flags, to: bytes)
      if listsOffsets {
        F.append(", offsets: [", to: bytes)
        for (index, offset) in offsets.enumerated() {
          if index > 0 { F.append(", ", to: bytes) }
          F.appendDecimal(UInt64(offset), to: bytes)
        }
        F.append("]", to: bytes)
      }
    default:
      return false
    }
    return true
  }

  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let major = record.version.major
    let modern = major >= 16
    switch record.header.info & 0x70 {
    case 0x00:  // REWRITE: nothing to add
      return ""
    case 0x10 where major <= 13:  // CLEAN: latestRemovedXid
      return u32(data, 0).map { "remxid \($0)" }
    case 0x20 where major <= 13:  // FREEZE_PAGE: cutoff xid, ntuples
      guard let xid = u32(data, 0), let count = u16(data, 4) else { return nil }
      return "cutoff xid \(xid) ntuples \(count)"
    case 0x30 where major <= 13:  // CLEANUP_INFO: RelFileNode, latestRemovedXid
      return u32(data, 12).map { "remxid \($0)" }
    case 0x10 where major <= 15:  // PRUNE (14–15)
      return text { appendCommon(record, to: $0) }
    case 0x10, 0x20, 0x30:
      return pruneVacuumFreeze(record)
    case 0x40, 0x50:  // VISIBLE, MULTI_INSERT
      return text { appendCommon(record, to: $0) }
    case 0x60:  // LOCK_UPDATED: xmax, offnum, infobits, flags
      guard let xmax = u32(data, 0), let offset = u16(data, 4), let bits = data.u8(6), let flags = data.u8(7) else { return nil }
      return text { bytes in
        if modern {
          HeapDetail.field("xmax: ", xmax, to: bytes)
          HeapDetail.field(", off: ", offset, to: bytes)
          HeapDetail.appendModernBits(", infobits: ", bits, flags, to: bytes)
        } else {
          HeapDetail.field("off ", offset, to: bytes)
          HeapDetail.field(": xmax ", xmax, to: bytes)
          HeapDetail.appendLegacyBits(": flags ", bits, flags, decimalFlags: major <= 11, to: bytes)
        }
        return true
      }
    case 0x70:  // NEW_CID: top xid, cmin, cmax, combo, locator, tid
      guard data.count >= 34, let cmin = u32(data, 4), let cmax = u32(data, 8),
        let combo = u32(data, 12), let relation = locator(data, 16),
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
}
