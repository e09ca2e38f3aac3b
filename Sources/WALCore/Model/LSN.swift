/// A byte position in the endless WAL stream (PostgreSQL `XLogRecPtr`).
///
/// Written the way PostgreSQL writes it: high and low 32 bits in upper-case hex, `16/B374D848`.
public struct LSN: RawRepresentable, Hashable, Comparable, Sendable {
  public var rawValue: UInt64

  @inlinable
  public init(rawValue: UInt64) { self.rawValue = rawValue }
  @inlinable
  public init(_ rawValue: UInt64) { self.rawValue = rawValue }

  /// LSN 0, which PostgreSQL uses for "no position".
  @inlinable public static var invalid: LSN { LSN(0) }

  @inlinable
  public static func < (a: LSN, b: LSN) -> Bool { a.rawValue < b.rawValue }

  /// This position moved forward by `count` bytes, or `nil` on overflow: counts come from files
  /// we do not trust.
  @inlinable
  public func advanced(by count: UInt64) -> LSN? {
    let (sum, overflow) = rawValue.addingReportingOverflow(count)
    return overflow ? nil : LSN(sum)
  }

  /// Bytes from `other` up to this position (0 when `other` is later).
  @inlinable
  public func distance(from other: LSN) -> UInt64 {
    rawValue >= other.rawValue ? rawValue - other.rawValue : 0
  }

  /// The next multiple of 8 at or after this position (PostgreSQL `MAXALIGN`).
  @inlinable
  public var maxAligned: LSN { LSN((rawValue &+ 7) & ~7) }

  /// `%X/%08X`, the padded form pg_waldump prints in its record lines.
  @inlinable
  public var paddedDescription: String {
    Hex.digits(rawValue >> 32) + "/" + Hex.digits(UInt32(truncatingIfNeeded: rawValue), width: 8)
  }
}

extension LSN: LosslessStringConvertible {
  /// Parses `HI/LO` in hex, with or without leading zeros (`0/0600EB00`, `16/B374D848`).
  @inlinable
  public init?(_ description: String) {
    let parts = description.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, (1...8).contains(parts[0].count), (1...8).contains(parts[1].count),
      let high = UInt32(parts[0], radix: 16), let low = UInt32(parts[1], radix: 16)
    else { return nil }
    self.init(UInt64(high) << 32 | UInt64(low))
  }

  /// `%X/%X`, as PostgreSQL writes an LSN in messages and files.
  @inlinable
  public var description: String {
    Hex.digits(rawValue >> 32) + "/" + Hex.digits(UInt32(truncatingIfNeeded: rawValue))
  }
}
