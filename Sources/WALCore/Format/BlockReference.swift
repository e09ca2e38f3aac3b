/// A block a record touches: which page, and what the record carries for it — block data, a
/// full-page image, or both (PostgreSQL `DecodedBkpBlock`).
public struct BlockReference: Hashable, Sendable {
  /// Block id 0…32, strictly increasing within a record.
  public var id: UInt8
  public var relation: RelFileLocator
  public var fork: ForkNumber
  public var blockNumber: UInt32
  /// The high nibble of `fork_flags`: `BKPBLOCK_HAS_IMAGE` 0x10, `HAS_DATA` 0x20, `WILL_INIT`
  /// 0x40, `SAME_REL` 0x80.
  public var flags: UInt8
  /// Where the block data lies in the record's bytes.
  public var data: Range<Int>
  /// The full-page image, if any.
  public var image: Image?

  @inlinable
  public var hasImage: Bool { image != nil }
  /// `BKPBLOCK_HAS_DATA` (`XLogRecHasBlockData`): the record carries data for the block. An
  /// image that redo applies usually replaces it; one logged only for `wal_consistency_checking`
  /// does not.
  @inlinable
  public var hasData: Bool { flags & Flag.hasData != 0 }
  /// `BKPBLOCK_WILL_INIT`: redo re-initialises the page, so it needs no prior content.
  @inlinable
  public var willInitialize: Bool { flags & Flag.willInit != 0 }

  /// A full-page image as stored: hole removed, maybe compressed.
  public struct Image: Hashable, Sendable {
    /// Where the stored image bytes lie in the record's bytes (`bimg_len` of them).
    public var bytes: Range<Int>
    /// Start of the omitted run of zero bytes (`hole_offset`).
    public var holeOffset: UInt16
    /// Length of the omitted run of zero bytes.
    public var holeLength: UInt16
    /// `bimg_info` as stored; its bits differ between 10–14 and 15+.
    public var info: UInt8
    public var compression: Compression
    /// True when redo restores the image (`BKPIMAGE_APPLY`); false for images logged only
    /// for `wal_consistency_checking`.
    public var isApplied: Bool
  }

  /// How a full-page image is compressed (`wal_compression`).
  public enum Compression: String, Hashable, Sendable {
    case none, pglz, lz4, zstd
  }

  @usableFromInline enum Flag {
    static let forkMask: UInt8 = 0x0F
    static let hasImage: UInt8 = 0x10
    @usableFromInline static let hasData: UInt8 = 0x20
    @usableFromInline static let willInit: UInt8 = 0x40
    static let sameRelation: UInt8 = 0x80
  }

  /// `XLR_MAX_BLOCK_ID`.
  @inlinable package static var maximumID: UInt8 { 32 }
}
