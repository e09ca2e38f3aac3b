/// The header at the start of every WAL page.
///
/// Mirrors `XLogPageHeaderData` (24 bytes). A segment's first page uses the long form
/// (`XLogLongPageHeaderData`, 40 bytes), which adds the system identifier and the geometry.
///
/// ```
///  0 magic u16 | 2 info u16 | 4 timeline u32 | 8 pageAddress u64 | 16 remainingLength u32 | 20 pad
/// 24 systemIdentifier u64 | 32 segmentSize u32 | 36 pageSize u32            (long header only)
/// ```
public struct PageHeader: Hashable, Sendable {
  /// `xlp_magic`: the PostgreSQL major version's page magic.
  public var magic: UInt16
  /// `xlp_info`: flag bits, see ``Flags``.
  public var info: UInt16
  /// `xlp_tli`: the timeline in force when the page was initialised (not always the file's).
  public var timeline: TimelineID
  /// `xlp_pageaddr`: the LSN of the page's first byte.
  public var pageAddress: LSN
  /// `xlp_rem_len`: bytes of a record begun on an earlier page still to come, from this page on.
  public var remainingLength: UInt32
  /// The long header's extra fields; `nil` on short headers.
  public var long: LongFields?

  /// Fields only the first page of a segment carries.
  public struct LongFields: Hashable, Sendable {
    /// `xlp_sysid`: the database system identifier of the cluster.
    public var systemIdentifier: UInt64
    /// `xlp_seg_size`: `wal_segment_size`.
    public var segmentSize: UInt32
    /// `xlp_xlog_blcksz`: `XLOG_BLCKSZ`.
    public var pageSize: UInt32

    @inlinable
    public init(systemIdentifier: UInt64, segmentSize: UInt32, pageSize: UInt32) {
      self.systemIdentifier = systemIdentifier
      self.segmentSize = segmentSize
      self.pageSize = pageSize
    }
  }

  /// `xlp_info` bits.
  public enum Flags {
    /// `XLP_FIRST_IS_CONTRECORD`: the page begins with the continuation of a record.
    public static let continuesRecord: UInt16 = 0x0001
    /// `XLP_LONG_HEADER`.
    public static let longHeader: UInt16 = 0x0002
    /// `XLP_BKP_REMOVABLE`: no base backup was running when the page was initialised.
    public static let backupRemovable: UInt16 = 0x0004
    /// `XLP_FIRST_IS_OVERWRITE_CONTRECORD`: the page begins with a record that replaces a
    /// continuation that was never written.
    public static let overwritesContinuation: UInt16 = 0x0008
    /// `XLP_ALL_FLAGS`.
    public static let all: UInt16 = 0x000F
  }

  @usableFromInline package enum Layout {
    @usableFromInline package static let magic = 0, info = 2, timeline = 4, pageAddress = 8, remainingLength = 16
    @usableFromInline package static let systemIdentifier = 24, segmentSize = 32, pageSize = 36
    @usableFromInline static let shortSize = 24, longSize = 40
  }

  public static let shortSize = Layout.shortSize
  public static let longSize = Layout.longSize

  @inlinable
  public var isLong: Bool { info & Flags.longHeader != 0 }
  @inlinable
  public var continuesRecord: Bool { info & Flags.continuesRecord != 0 }
  @inlinable
  public var overwritesContinuation: Bool { info & Flags.overwritesContinuation != 0 }
  /// Bytes the header occupies: 40 for a long header, else 24.
  @inlinable
  public var size: Int { isLong ? Layout.longSize : Layout.shortSize }

  /// Decodes the header at `offset`; `nil` when fewer bytes remain than it needs (24, or 40
  /// when the long-header bit is set).
  @inlinable
  public init?(decoding bytes: UnsafeRawBufferPointer, at offset: Int = 0) {
    guard offset >= 0, bytes.count - offset >= Layout.shortSize else { return nil }
    let page = UnsafeRawBufferPointer(rebasing: bytes[offset...])
    magic = ByteReader.field(page, at: Layout.magic, as: UInt16.self)
    info = ByteReader.field(page, at: Layout.info, as: UInt16.self)
    timeline = TimelineID(ByteReader.field(page, at: Layout.timeline, as: UInt32.self))
    pageAddress = LSN(ByteReader.field(page, at: Layout.pageAddress, as: UInt64.self))
    remainingLength = ByteReader.field(page, at: Layout.remainingLength, as: UInt32.self)
    if info & Flags.longHeader != 0 {
      guard page.count >= Layout.longSize else { return nil }
      long = LongFields(
        systemIdentifier: ByteReader.field(page, at: Layout.systemIdentifier, as: UInt64.self),
        segmentSize: ByteReader.field(page, at: Layout.segmentSize, as: UInt32.self),
        pageSize: ByteReader.field(page, at: Layout.pageSize, as: UInt32.self))
    } else {
      long = nil
    }
  }

  /// True when the 24 bytes a short header would occupy are all zero: a page never written
  /// (pre-allocated segment, or the rest of a segment after an XLOG SWITCH record).
  @inlinable
  package static func isZero(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Bool {
    guard bytes.count - offset >= Layout.shortSize else { return false }
    return ByteReader.field(bytes, at: offset, as: UInt64.self) == 0
      && ByteReader.field(bytes, at: offset + 8, as: UInt64.self) == 0
      && ByteReader.field(bytes, at: offset + 16, as: UInt64.self) == 0
  }
}
