import WALCore

/// Heap record descriptions (most of a listing), written straight into the line's bytes in
/// each version's wording: PostgreSQL 16 rewrote them as `key: value` lists.
enum HeapDetail: RecordDescriber {
  typealias F = LineFormatting

  static func describe(_ record: WALRecord) -> String? { text { append(record, to: $0) } }

  /// Appends the description of a Heap record; false (nothing appended) when walkit does not
  /// describe it.
  static func append(_ record: WALRecord, to bytes: TextBuffer) -> Bool {
    let data = record.mainBytes
    let major = record.version.major
    let modern = major >= 16
    switch record.header.info & 0x70 {
    case 0x00:  // INSERT: offnum, flags (printed from 12)
      guard let offset = u16(data, 0), let flags = data.u8(2) else { return false }
      F.append(modern ? "off: " : "off ", to: bytes)
      F.appendDecimal(UInt64(offset), to: bytes)
      guard major >= 12 else { return true }
      F.append(modern ? ", flags: " : " flags ", to: bytes)
      F.appendHex2(flags, to: bytes)
    case 0x10, 0x60:  // DELETE, LOCK: xmax, offnum, infobits, flags
      guard let xmax = u32(data, 0), let offset = u16(data, 4), let bits = data.u8(6), let flags = data.u8(7) else { return false }
      if modern {
        field("xmax: ", xmax, to: bytes)
        field(", off: ", offset, to: bytes)
        appendModernBits(", infobits: ", bits, flags, to: bytes)
      } else if record.header.info & 0x70 == 0x10 {
        field("off ", offset, to: bytes)
        guard major >= 12 else {
          bytes.append(UInt8(ascii: " "))
          appendInfobits(bits, modern: false, to: bytes)
          return true
        }
        appendLegacyBits(" flags ", bits, flags, to: bytes)
      } else {
        field("off ", offset, to: bytes)
        field(": xid ", xmax, to: bytes)
        appendLegacyBits(": flags ", bits, flags, decimalFlags: major <= 11, to: bytes)
      }
    case 0x50:  // CONFIRM: offnum
      guard let offset = u16(data, 0) else { return false }
      field(modern ? "off: " : "off ", offset, to: bytes)
    case 0x20, 0x40:  // UPDATE, HOT_UPDATE
      guard let oldXmax = u32(data, 0), let oldOffset = u16(data, 4), let bits = data.u8(6), let flags = data.u8(7),
        let newXmax = u32(data, 8), let newOffset = u16(data, 12)
      else { return false }
      if modern {
        field("old_xmax: ", oldXmax, to: bytes)
        field(", old_off: ", oldOffset, to: bytes)
        appendModernBits(", old_infobits: ", bits, flags, to: bytes)
        field(", new_xmax: ", newXmax, to: bytes)
        field(", new_off: ", newOffset, to: bytes)
      } else {
        field("off ", oldOffset, to: bytes)
        field(" xmax ", oldXmax, to: bytes)
        if major >= 12 {
          appendLegacyBits(" flags ", bits, flags, to: bytes)
        } else {
          bytes.append(UInt8(ascii: " "))
          appendInfobits(bits, modern: false, to: bytes)
        }
        field("; new off ", newOffset, to: bytes)
        field(" xmax ", newXmax, to: bytes)
      }
    case 0x30 where record.version.major >= 11:  // TRUNCATE: db, nrelids, flags, relids[]
      guard let count = u32(data, 4), count < 1 << 16, let flags = data.u8(8), let relations = data.u32s(at: 12, count: Int(count))
      else { return false }
      if modern {
        F.append("flags: [", to: bytes)
        F.append(flags & 0x03 == 0x03 ? "CASCADE, RESTART_SEQS" : flags & 0x01 != 0 ? "CASCADE" : flags & 0x02 != 0 ? "RESTART_SEQS" : "",
                 to: bytes)
        field("], nrelids: ", count, to: bytes)
        F.append(", relids: [", to: bytes)
        for (index, relation) in relations.enumerated() {
          if index > 0 { F.append(", ", to: bytes) }
          F.appendDecimal(UInt64(relation), to: bytes)
        }
        bytes.append(UInt8(ascii: "]"))
      } else {
        if flags & 0x01 != 0 { F.append("cascade ", to: bytes) }
        if flags & 0x02 != 0 { F.append("restart_seqs ", to: bytes) }
        field("nrelids ", count, to: bytes)
        F.append(" relids", to: bytes)
        for relation in relations { field(" ", relation, to: bytes) }
      }
    case 0x70:  // INPLACE; 18 adds invalidation messages
      guard let offset = u16(data, 0) else { return false }
      guard record.version.major >= 18 else {
        field(modern ? "off: " : "off ", offset, to: bytes)
        return true
      }
      guard let database = u32(data, 4), let tablespace = u32(data, 8), let initFile = data.flag(12),
        let count = u32(data, 16).map({ Int(Int32(bitPattern: $0)) }), count >= 0,
        let messages = TransactionDetail.invalidations(data, at: 20, count: count, database: database, tablespace: tablespace,
                                                        initFile: initFile, version: record.version)
      else { return false }
      field("off: ", offset, to: bytes)
      F.append(messages, to: bytes)
    default:
      return false
    }
    return true
  }

  @inline(__always)
  static func field(_ label: StaticString, _ value: some FixedWidthInteger, to bytes: TextBuffer) {
    F.append(label, to: bytes)
    F.appendDecimal(UInt64(value), to: bytes)
  }

  /// `<label>[BITS], flags: 0xNN` (infobits at byte 6 of the main data, flags at byte 7).
  static func appendModernBits(_ label: StaticString, _ bits: UInt8, _ flags: UInt8, to bytes: TextBuffer) {
    F.append(label, to: bytes)
    appendInfobits(bits, modern: true, to: bytes)
    F.append(", flags: ", to: bytes)
    F.appendHex2(flags, to: bytes)
  }

  /// `<label>0xNN BITS `: before 16, the flags come first and the bits follow (in decimal
  /// before 12).
  static func appendLegacyBits(_ label: StaticString, _ bits: UInt8, _ flags: UInt8, decimalFlags: Bool = false,
                               to bytes: TextBuffer) {
    F.append(label, to: bytes)
    if decimalFlags { F.appendDecimal(UInt64(flags), to: bytes) } else { F.appendHex2(flags, to: bytes) }
    bytes.append(UInt8(ascii: " "))
    appendInfobits(bits, modern: false, to: bytes)
  }

  /// `out_infobits`: the xmax bits of a heap tuple's new state, `[A, B]` from 16 on, else
  /// `A B ` (each name followed by a space).
  static func appendInfobits(_ bits: UInt8, modern: Bool, to bytes: TextBuffer) {
    let names: [(UInt8, StaticString)] = [(0x01, "IS_MULTI"), (0x02, "LOCK_ONLY"), (0x04, "EXCL_LOCK"), (0x08, "KEYSHR_LOCK"),
                                          (0x10, "KEYS_UPDATED")]
    if modern { bytes.append(UInt8(ascii: "[")) }
    var first = true
    for (bit, name) in names where bits & bit != 0 {
      if modern && !first { F.append(", ", to: bytes) }
      F.append(name, to: bytes)
      if !modern { bytes.append(UInt8(ascii: " ")) }
      first = false
    }
    if modern { bytes.append(UInt8(ascii: "]")) }
  }
}
