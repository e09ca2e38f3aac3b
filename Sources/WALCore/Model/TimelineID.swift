/// A timeline (PostgreSQL `TimeLineID`). A cluster starts on timeline 1; each promotion or
/// point-in-time recovery that ends starts a new one.
public struct TimelineID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
  public var rawValue: UInt32
  @inlinable
  public init(rawValue: UInt32) { self.rawValue = rawValue }
  @inlinable
  public init(_ rawValue: UInt32) { self.rawValue = rawValue }
  @inlinable
  public static func < (a: TimelineID, b: TimelineID) -> Bool { a.rawValue < b.rawValue }
  @inlinable
  public var description: String { String(rawValue) }

  /// The name of this timeline's history file: `00000002.history`.
  public var historyFileName: String { Hex.digits(rawValue, width: 8) + ".history" }
}
