/// The number of a WAL segment: its start LSN divided by the segment size (PostgreSQL `XLogSegNo`).
public struct SegmentNumber: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
  public var rawValue: UInt64
  @inlinable
  public init(rawValue: UInt64) { self.rawValue = rawValue }
  @inlinable
  public init(_ rawValue: UInt64) { self.rawValue = rawValue }
  @inlinable
  public static func < (a: SegmentNumber, b: SegmentNumber) -> Bool { a.rawValue < b.rawValue }
  @inlinable
  public var description: String { String(rawValue) }

  /// The following segment, or `nil` past the end of the LSN space.
  @inlinable
  public var next: SegmentNumber? {
    rawValue == .max ? nil : SegmentNumber(rawValue + 1)
  }
}
