/// Hexadecimal as PostgreSQL's tools print it: upper case, zero-padded where they pad.
public enum Hex {
  /// `value` in upper-case hex, zero-padded to `width` digits: `0000002A` for `%08X`.
  public static func digits<T: FixedWidthInteger>(_ value: T, width: Int = 0) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
  }

  /// `0x` and `value` zero-padded to its type's width: `0x2A` for a `UInt8`, `0x0000002A` for a
  /// `UInt32`.
  public static func prefixed<T: FixedWidthInteger>(_ value: T) -> String {
    "0x" + digits(value, width: MemoryLayout<T>.size * 2)
  }
}
