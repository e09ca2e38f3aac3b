/// The fixed 24-byte header of every WAL record (PostgreSQL `XLogRecord`).
///
/// ```
///  0 totalLength u32 | 4 xid u32 | 8 previous u64 | 16 info u8 | 17 resourceManager u8 | 18 pad | 20 crc u32
/// ```
public struct RecordHeader: Hashable, Sendable {
  /// `xl_tot_len`: the whole record's length, header included.
  public var totalLength: UInt32
  /// `xl_xid`: the transaction id, 0 when none.
  public var xid: UInt32
  /// `xl_prev`: the LSN of the previous record.
  public var previous: LSN
  /// `xl_info`: the record type in the high nibble (rmgr-specific), generic flags in the low one.
  public var info: UInt8
  /// `xl_rmid`: the resource manager that wrote the record.
  public var resourceManagerID: UInt8
  /// `xl_crc`: CRC-32C over the record body, then the first 20 header bytes.
  public var crc: UInt32

  public static let size = 24
  /// Bytes of the header covered by the CRC (everything before `xl_crc`).
  @inlinable package static var crcCoveredSize: Int { 20 }

  @usableFromInline enum Layout {
    @usableFromInline static let totalLength = 0, xid = 4, previous = 8, info = 16, resourceManagerID = 17, crc = 20
  }

  /// `XLR_SPECIAL_REL_UPDATE`.
  public static let specialRelationUpdate: UInt8 = 0x01
  /// `XLR_CHECK_CONSISTENCY`.
  public static let checkConsistency: UInt8 = 0x02

  /// Decodes a header from the first 24 bytes of `bytes`, which the caller has checked exist.
  @inline(__always)
  @inlinable
  package init(unchecked bytes: UnsafeRawBufferPointer) {
    totalLength = ByteReader.field(bytes, at: Layout.totalLength, as: UInt32.self)
    xid = ByteReader.field(bytes, at: Layout.xid, as: UInt32.self)
    previous = LSN(ByteReader.field(bytes, at: Layout.previous, as: UInt64.self))
    info = ByteReader.field(bytes, at: Layout.info, as: UInt8.self)
    resourceManagerID = ByteReader.field(bytes, at: Layout.resourceManagerID, as: UInt8.self)
    crc = ByteReader.field(bytes, at: Layout.crc, as: UInt32.self)
  }

  /// Decodes the first 24 bytes of `bytes`; `nil` if there are fewer.
  @inlinable
  public init?(decoding bytes: UnsafeRawBufferPointer) {
    guard bytes.count >= Self.size else { return nil }
    self.init(unchecked: bytes)
  }

  /// The record-type bits (`xl_info & XLR_RMGR_INFO_MASK`).
  @inlinable
  public var recordTypeBits: UInt8 { info & 0xF0 }

  /// True for `XLOG/SWITCH`, after which the rest of the segment is unused.
  @inlinable
  public var isSegmentSwitch: Bool { Self.isSegmentSwitch(resourceManagerID: resourceManagerID, info: info) }

  /// True when a record of this resource manager and `xl_info` is `XLOG/SWITCH`.
  @inlinable
  public static func isSegmentSwitch(resourceManagerID: UInt8, info: UInt8) -> Bool {
    resourceManagerID == ResourceManagerIDs.xlog && info & 0xF0 == ResourceManagerIDs.xlogSwitch
  }

  /// True for a transaction's commit (`Transaction/COMMIT` or `COMMIT_PREPARED`).
  @inlinable
  public var isCommit: Bool { Self.isCommit(resourceManagerID: resourceManagerID, info: info) }

  /// True when a record of this resource manager and `xl_info` is a transaction's commit.
  @inlinable
  public static func isCommit(resourceManagerID: UInt8, info: UInt8) -> Bool {
    let operation = info & ResourceManagerIDs.transactionOperationMask
    return resourceManagerID == ResourceManagerIDs.transaction
      && (operation == ResourceManagerIDs.transactionCommit || operation == ResourceManagerIDs.transactionCommitPrepared)
  }
}

/// Resource manager ids the reader itself needs to recognise.
@usableFromInline package enum ResourceManagerIDs {
  @usableFromInline package static let xlog: UInt8 = 0
  @usableFromInline static let xlogSwitch: UInt8 = 0x40
  @usableFromInline static let transaction: UInt8 = 1
  /// `XLOG_XACT_OPMASK`, `XLOG_XACT_COMMIT`, `XLOG_XACT_COMMIT_PREPARED`.
  @usableFromInline static let transactionOperationMask: UInt8 = 0x70
  @usableFromInline static let transactionCommit: UInt8 = 0x00
  @usableFromInline static let transactionCommitPrepared: UInt8 = 0x30
  /// Highest built-in id (`RM_MAX_BUILTIN_ID`), the same in 10–18.
  @usableFromInline static let lastBuiltIn: UInt8 = 21
  /// `RM_MIN_CUSTOM_ID`: ids from here to 255 are custom (15+).
  @usableFromInline package static let firstCustom: UInt8 = 128

  @inlinable
  package static func isValid(_ id: UInt8, in version: WALVersion) -> Bool {
    id <= lastBuiltIn || (version.allowsCustomResourceManagers && id >= firstCustom)
  }
}
