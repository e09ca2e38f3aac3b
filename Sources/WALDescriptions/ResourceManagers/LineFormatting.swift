import WALCore

/// Writes pg_waldump's record line as bytes, without building intermediate strings: listing
/// millions of records is dominated by this.
enum LineFormatting {
  /// The upper-case hex digit of `nibble` (0–15), without a table.
  @inline(__always)
  static func hexDigit<T: BinaryInteger>(_ nibble: T) -> UInt8 {
    let value = UInt8(truncatingIfNeeded: nibble) & 0xF
    return value < 10 ? UInt8(ascii: "0") &+ value : UInt8(ascii: "A") &+ (value &- 10)
  }

  @inline(__always)
  static func append(_ text: StaticString, to bytes: TextBuffer) { bytes.append(text) }

  @_disfavoredOverload
  @inline(__always)
  static func append(_ text: String, to bytes: TextBuffer) { bytes.append(text) }

  /// `value` in decimal, right-aligned in `width` columns (wider values just take more).
  @inline(__always)
  static func appendDecimal(_ value: UInt64, width: Int = 0, to bytes: TextBuffer) {
    var count = 1
    var power: UInt64 = 10
    while count < 20 && value >= power {
      count += 1
      power = power &* 10
    }
    let padding = max(0, width - count)
    bytes.write(upTo: padding + count) { out in
      for index in 0..<padding { out[index] = UInt8(ascii: " ") }
      var rest = value
      var index = padding + count
      repeat {
        index -= 1
        out[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
        rest /= 10
      } while rest != 0
      return padding + count
    }
  }

  /// `value` in decimal with leading zeros to `digits` digits (`%02d`, `%06d`).
  static func appendZeroPadded(_ value: UInt64, digits: Int, to bytes: TextBuffer) {
    var count = 1
    var power: UInt64 = 10
    while count < 20 && value >= power {
      count += 1
      power = power &* 10
    }
    for _ in count..<max(count, digits) { bytes.append(UInt8(ascii: "0")) }
    appendDecimal(value, to: bytes)
  }

  /// `0x%02X`.
  static func appendHex2(_ value: UInt8, to bytes: TextBuffer) {
    bytes.write(upTo: 4) { out in
      out[0] = UInt8(ascii: "0")
      out[1] = UInt8(ascii: "x")
      out[2] = hexDigit(value >> 4)
      out[3] = hexDigit(value)
      return 4
    }
  }

  /// Upper-case hex, at least `minimum` digits (up to 8).
  static func appendHex(_ value: UInt32, minimum: Int, to bytes: TextBuffer) {
    let significant = max(1, (32 - value.leadingZeroBitCount + 3) / 4)
    let count = max(significant, min(minimum, 8))
    bytes.write(upTo: 8) { out in
      var rest = value
      var index = count
      repeat {
        index -= 1
        out[index] = hexDigit(rest)
        rest >>= 4
      } while index > 0
      return count
    }
  }

  /// `%X/%08X`.
  static func appendPaddedLSN(_ lsn: LSN, to bytes: TextBuffer) {
    appendHex(UInt32(lsn.rawValue >> 32), minimum: 1, to: bytes)
    bytes.append(UInt8(ascii: "/"))
    appendHex(UInt32(truncatingIfNeeded: lsn.rawValue), minimum: 8, to: bytes)
  }
}

extension WALRecord {
  /// Appends pg_waldump's line for this record (without the newline) to `bytes`.
  public func appendPgWaldumpLine(to bytes: TextBuffer) {
    appendPgWaldumpPrefix(to: bytes)
    appendPgWaldumpDescription(to: bytes)
  }

  /// `rmgr: … , prev …, desc: `
  func appendPgWaldumpPrefix(to bytes: TextBuffer) {
    typealias F = LineFormatting
    LineTexts.shared.appendPrefix(resourceManager: header.resourceManagerID, to: bytes)
    let total = UInt64(header.totalLength)
    F.appendDecimal(total - UInt64(fullPageImageLength), width: 6, to: bytes)
    bytes.append(UInt8(ascii: "/"))
    F.appendDecimal(total, width: 6, to: bytes)
    F.append(", tx: ", to: bytes)
    F.appendDecimal(UInt64(header.xid), width: 10, to: bytes)
    F.append(", lsn: ", to: bytes)
    F.appendPaddedLSN(lsn, to: bytes)
    F.append(", prev ", to: bytes)
    F.appendPaddedLSN(header.previous, to: bytes)
    F.append(", desc: ", to: bytes)
  }

  /// The type name, the rmgr-specific detail and the block references.
  func appendPgWaldumpDescription(to bytes: TextBuffer, withBlocks: Bool = true) {
    typealias F = LineFormatting
    if !LineTexts.shared.appendTypeName(resourceManager: header.resourceManagerID, info: header.info, version: version, to: bytes) {
      F.append(typeName, to: bytes)
    }
    bytes.append(UInt8(ascii: " "))
    _ = RecordDetail.append(self, to: bytes)
    guard withBlocks else { return }
    for block in blocks {
      F.append(", blkref #", to: bytes)
      F.appendDecimal(UInt64(block.id), to: bytes)
      F.append(": rel ", to: bytes)
      F.appendDecimal(UInt64(block.relation.tablespace), to: bytes)
      bytes.append(UInt8(ascii: "/"))
      F.appendDecimal(UInt64(block.relation.database), to: bytes)
      bytes.append(UInt8(ascii: "/"))
      F.appendDecimal(UInt64(block.relation.relation), to: bytes)
      if block.fork != .main {
        F.append(" fork ", to: bytes)
        F.append(block.fork.description, to: bytes)
      }
      F.append(" blk ", to: bytes)
      F.appendDecimal(UInt64(block.blockNumber), to: bytes)
      if let image = block.image { F.append(image.isApplied ? " FPW" : " FPW for WAL verification", to: bytes) }
    }
  }
}
