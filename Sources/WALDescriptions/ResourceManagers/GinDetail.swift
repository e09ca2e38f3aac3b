import WALCore

/// GIN index records, as `gindesc.c` writes them (the same in 10–18).
enum GinDetail: RecordDescriber {
  enum Info {
    static let createPostingTree: UInt8 = 0x10, insert: UInt8 = 0x20, split: UInt8 = 0x30, vacuumPage: UInt8 = 0x40
    static let deletePage: UInt8 = 0x50, updateMetaPage: UInt8 = 0x60, insertListPage: UInt8 = 0x70
    static let deleteListPage: UInt8 = 0x80, vacuumDataLeafPage: UInt8 = 0x90
  }

  /// `GIN_INSERT_ISDATA`, `GIN_INSERT_ISLEAF`, `GIN_SPLIT_ROOT`.
  enum Flag {
    static let isData: UInt16 = 0x01, isLeaf: UInt16 = 0x02, splitRoot: UInt16 = 0x04
  }

  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    switch record.header.info & 0xF0 {
    case Info.createPostingTree, Info.vacuumPage, Info.deletePage, Info.updateMetaPage, Info.insertListPage:
      return ""
    case Info.insert:
      return insert(record)
    case Info.split:
      // ginxlogSplit: locator (12), rrlink, leftChildBlkno, rightChildBlkno, flags.
      guard let flags = data.u16(24) else { return nil }
      return "isrootsplit: \(letter(flags & Flag.splitRoot))" + " isdata: \(letter(flags & Flag.isData)) isleaf: \(letter(flags & Flag.isLeaf))"
    case Info.vacuumDataLeafPage:
      guard let block = record.blocks.first(where: { $0.id == 0 }) else { return nil }
      if let image = block.image { return imageNote(image) }
      return recompressedLeaf(record.checkedBytes(in: block.data), at: 0)
    case Info.deleteListPage:
      // ginxlogDeleteListPages: GinMetaPageData (56 bytes), then ndeleted.
      return data.i32(56).map { "ndeleted: \($0)" }
    default:
      return nil
    }
  }

  /// `XLOG_GIN_INSERT`: flags, the children of an inner page, then what block 0 holds.
  static func insert(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    guard let flags = data.u16(0) else { return nil }
    var text = "isdata: \(letter(flags & Flag.isData)) isleaf: \(letter(flags & Flag.isLeaf))"
    if flags & Flag.isLeaf == 0 {
      guard let left = blockID(data, at: 2), let right = blockID(data, at: 6) else { return nil }
      text += " children: \(left)/\(right)"
    }
    guard let block = record.blocks.first(where: { $0.id == 0 }) else { return nil }
    if let image = block.image { return text + imageNote(image) }
    let payload = record.checkedBytes(in: block.data)
    if flags & Flag.isData == 0 {
      // ginxlogInsertEntry: offset, isDelete, tuple.
      guard let isDelete = payload.u8(2) else { return nil }
      return text + " isdelete: \(letter(UInt16(isDelete)))"
    }
    if flags & Flag.isLeaf != 0 {
      return recompressedLeaf(payload, at: 0).map { text + $0 }
    }
    // ginxlogInsertDataInternal: offset, then PostingItem (child block id, item pointer).
    guard let child = blockID(payload, at: 2), let keyBlock = blockID(payload, at: 6), let keyOffset = payload.u16(10)
    else { return nil }
    return text + " pitem: \(child)-\(keyBlock)/\(keyOffset)"
  }

  /// `desc_recompress_leaf`: the actions on a leaf's posting-list segments.
  static func recompressedLeaf(_ bytes: RecordBytes, at start: Int) -> String? {
    guard let count = bytes.u16(start) else { return nil }
    var text = " \(count) segments:"
    var position = start + 2
    for _ in 0..<count {
      guard let segment = bytes.u8(position), let action = bytes.u8(position + 1) else { return nil }
      position += 2
      switch action {
      case 2, 3:  // GIN_SEGMENT_INSERT, GIN_SEGMENT_REPLACE: a GinPostingList, SHORTALIGNed
        guard let listBytes = bytes.u16(position + 6) else { return nil }
        let size = 8 + Int(listBytes)
        position += (size + 1) & ~1
        text += action == 2 ? " \(segment) (insert)" : " \(segment) (replace)"
      case 4:  // GIN_SEGMENT_ADDITEMS: nitems, then the item pointers
        guard let items = bytes.u16(position) else { return nil }
        position += 2 + 6 * Int(items)
        text += " \(segment) (add \(items) items)"
      case 1:  // GIN_SEGMENT_DELETE
        text += " \(segment) (delete)"
      default:
        return text + " \(segment) unknown action \(action) ???"
      }
    }
    return text
  }

  static func imageNote(_ image: BlockReference.Image) -> String {
    image.isApplied ? " (full page image)" : " (full page image, for WAL verification)"
  }

  /// A `BlockIdData` (two 16-bit halves, high first) as a block number.
  static func blockID(_ bytes: RecordBytes, at offset: Int) -> UInt32? {
    guard let high = bytes.u16(offset), let low = bytes.u16(offset + 2) else { return nil }
    return UInt32(high) << 16 | UInt32(low)
  }

  static func letter(_ bit: UInt16) -> Character { bit != 0 ? "T" : "F" }
}
