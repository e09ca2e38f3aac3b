import WALCore

/// Hash index records, as `hashdesc.c` writes them (10–18; VACUUM_ONE_PAGE changed in 14 and 16).
enum HashDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    switch record.header.info & 0xF0 {
    case 0x00:  // INIT_META_PAGE: num_tuples (double), procid, ffactor
      guard let tuples = data.u64(0), let fillFactor = data.u16(12) else { return nil }
      return "num_tuples \(format("%g", Double(bitPattern: tuples))), fillfactor \(fillFactor)"
    case 0x10:  // INIT_BITMAP_PAGE: bmsize
      return data.u16(0).map { "bmsize \($0)" }
    case 0x20:  // INSERT: offnum
      return data.u16(0).map { "off \($0)" }
    case 0x30:  // ADD_OVFL_PAGE: bmsize, bmpage_found
      guard let size = data.u16(0), let found = data.flag(2) else { return nil }
      return "bmsize \(size), bmpage_found \(letter(found))"
    case 0x40:  // SPLIT_ALLOCATE_PAGE: new_bucket, old and new bucket flags, flags
      guard let bucket = data.u32(0), let flags = data.u8(8) else { return nil }
      return "new_bucket \(bucket), meta_page_masks_updated \(letter(flags & 0x01 != 0)), "
        + "issplitpoint_changed \(letter(flags & 0x02 != 0))"
    case 0x50, 0xA0:  // SPLIT_PAGE, SPLIT_CLEANUP: nothing to add
      return ""
    case 0x60:  // SPLIT_COMPLETE
      guard let old = data.u16(0), let new = data.u16(2) else { return nil }
      return "old_bucket_flag \(old), new_bucket_flag \(new)"
    case 0x70:  // MOVE_PAGE_CONTENTS: ntups, is_prim_bucket_same_wrt
      guard let tuples = data.u16(0), let primary = data.flag(2) else { return nil }
      return "ntups \(tuples), is_primary \(letter(primary))"
    case 0x80:  // SQUEEZE_PAGE: prevblkno, nextblkno, ntups, is_prim_bucket_same_wrt
      guard let previous = data.u32(0), let next = data.u32(4), let tuples = data.u16(8), let primary = data.flag(10)
      else { return nil }
      return "prevblkno \(previous), nextblkno \(next), ntups \(tuples), is_primary \(letter(primary))"
    case 0x90:  // DELETE: clear_dead_marking, is_primary_bucket_page
      guard let clear = data.flag(0), let primary = data.flag(1) else { return nil }
      return "clear_dead_marking \(letter(clear)), is_primary \(letter(primary))"
    case 0xB0:  // UPDATE_META_PAGE: ntuples (double)
      return data.u64(0).map { "ntuples \(format("%g", Double(bitPattern: $0)))" }
    case 0xC0:  // VACUUM_ONE_PAGE
      guard let xid = data.u32(0) else { return nil }
      if record.version.major >= 17 {
        guard let tuples = data.u16(4), let catalog = data.flag(6) else { return nil }
        return "ntuples \(tuples), snapshotConflictHorizon \(xid), isCatalogRel \(letter(catalog))"
      }
      if record.version.major == 16 { return data.u16(4).map { "ntuples \($0), snapshotConflictHorizon \(xid)" } }
      let label = record.version.major >= 14 ? "latestRemovedXid" : "latest removed xid"
      return data.i32(4).map { "ntuples \($0), \(label) \(xid)" }
    default:
      return nil
    }
  }

  static func letter(_ value: Bool) -> Character { value ? "T" : "F" }
}
