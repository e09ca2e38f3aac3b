/// The PostgreSQL major version that wrote a WAL segment, told by its page magic
/// (`XLOG_PAGE_MAGIC`), the only version marker inside WAL.
public struct WALVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The major version: 10 … 18.
  public let major: Int
  /// `xlp_magic` of every page this version writes.
  public let pageMagic: UInt16

  /// Every version walkit reads, oldest first.
  public static let supported: [WALVersion] = [
    WALVersion(major: 10, pageMagic: 0xD097), WALVersion(major: 11, pageMagic: 0xD098),
    WALVersion(major: 12, pageMagic: 0xD101), WALVersion(major: 13, pageMagic: 0xD106),
    WALVersion(major: 14, pageMagic: 0xD10D), WALVersion(major: 15, pageMagic: 0xD110),
    WALVersion(major: 16, pageMagic: 0xD113), WALVersion(major: 17, pageMagic: 0xD116),
    WALVersion(major: 18, pageMagic: 0xD118),
  ]

  /// The version whose pages carry `pageMagic`, or `nil` for a magic walkit does not know.
  @inlinable
  public init?(pageMagic: UInt16) {
    guard let version = Self.supported.first(where: { $0.pageMagic == pageMagic }) else { return nil }
    self = version
  }

  /// The supported version with this major number.
  @inlinable
  public init?(major: Int) {
    guard let version = Self.supported.first(where: { $0.major == major }) else { return nil }
    self = version
  }

  private init(major: Int, pageMagic: UInt16) {
    self.major = major
    self.pageMagic = pageMagic
  }

  @inlinable
  public static func < (a: WALVersion, b: WALVersion) -> Bool { a.major < b.major }
  @inlinable
  public var description: String { "PostgreSQL \(major)" }

  /// Custom resource managers (ids 128–255) exist from 15 on.
  @usableFromInline var allowsCustomResourceManagers: Bool { major >= 15 }
  /// Block id 252 (`XLR_BLOCK_ID_TOPLEVEL_XID`) exists from 14 on.
  var hasTopLevelXIDBlock: Bool { major >= 14 }
  /// From 15 on, image flags name the compression method (pglz, lz4, zstd).
  var hasImageCompressionMethods: Bool { major >= 15 }
}
