/// A record's bytes with every read checked: an offset or size outside the bytes, or one whose
/// arithmetic overflows, gives `nil`, never a trap or a read past the buffer. Release builds do
/// not bounds-check `UnsafeRawBufferPointer` subscripts, and a crafted record can carry a valid
/// CRC, so the code that describes, counts and compares records reads them only through this;
/// the unchecked fast path stays inside the scanner.
public struct RecordBytes {
  @usableFromInline let bytes: UnsafeRawBufferPointer

  @inlinable
  public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  @inlinable
  public var count: Int { bytes.count }
  @inlinable
  public var isEmpty: Bool { bytes.isEmpty }

  /// True when `size` bytes at `offset` lie inside.
  @inline(__always)
  @inlinable
  public func contains(_ offset: Int, size: Int) -> Bool {
    offset >= 0 && size >= 0 && offset <= bytes.count && bytes.count - offset >= size
  }

  @inline(__always)
  @inlinable
  func load<T: FixedWidthInteger>(_ offset: Int, as _: T.Type) -> T? {
    guard contains(offset, size: MemoryLayout<T>.size) else { return nil }
    return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
  }

  @inlinable
  public func u8(_ offset: Int) -> UInt8? { load(offset, as: UInt8.self) }
  @inlinable
  public func u16(_ offset: Int) -> UInt16? { load(offset, as: UInt16.self) }
  @inlinable
  public func u32(_ offset: Int) -> UInt32? { load(offset, as: UInt32.self) }
  @inlinable
  public func u64(_ offset: Int) -> UInt64? { load(offset, as: UInt64.self) }
  @inlinable
  public func i32(_ offset: Int) -> Int32? { load(offset, as: Int32.self) }
  @inlinable
  public func i64(_ offset: Int) -> Int64? { load(offset, as: Int64.self) }

  /// The byte at `offset` is not zero (a C `bool`); `nil` outside.
  @inlinable
  public func flag(_ offset: Int) -> Bool? { u8(offset).map { $0 != 0 } }

  /// The offset of element `index` of an array of `stride`-byte elements at `base`, `nil` on
  /// overflow.
  @inlinable
  public static func offset(_ base: Int, index: Int, stride: Int) -> Int? {
    let (scaled, overflowA) = index.multipliedReportingOverflow(by: stride)
    let (sum, overflowB) = base.addingReportingOverflow(scaled)
    return overflowA || overflowB ? nil : sum
  }

  /// `count` little-endian `UInt16`/`UInt32` values at `offset`, or `nil` when they do not all fit.
  @inlinable
  public func u16s(at offset: Int, count: Int) -> [UInt16]? { array(at: offset, count: count, as: UInt16.self) }
  @inlinable
  public func u32s(at offset: Int, count: Int) -> [UInt32]? { array(at: offset, count: count, as: UInt32.self) }

  @inlinable
  func array<T: FixedWidthInteger>(at offset: Int, count: Int, as _: T.Type) -> [T]? {
    guard count >= 0, let end = Self.offset(offset, index: count, stride: MemoryLayout<T>.size), contains(offset, size: end - offset)
    else { return nil }
    return (0..<count).map { T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + $0 * MemoryLayout<T>.size, as: T.self)) }
  }

  /// The `count` bytes at `offset`, or `nil` when they do not fit.
  @inlinable
  public func slice(_ offset: Int, count: Int) -> RecordBytes? {
    guard contains(offset, size: count) else { return nil }
    return RecordBytes(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
  }

  /// The `count` bytes at `offset`, `count` as a record states it (`UInt64`).
  @inlinable
  public func slice(_ offset: Int, count: UInt64) -> RecordBytes? {
    Int(exactly: count).flatMap { slice(offset, count: $0) }
  }

  /// Everything from `offset` on, or `nil` past the end.
  @inlinable
  public func slice(from offset: Int) -> RecordBytes? { slice(offset, count: bytes.count - max(0, offset)) }

  /// The first `byte` at or after `offset`.
  @inlinable
  public func firstIndex(of byte: UInt8, from offset: Int) -> Int? {
    guard contains(offset, size: 0) else { return nil }
    return bytes[offset...].firstIndex(of: byte)
  }

  /// UTF-8 text of the `count` bytes at `offset`.
  @inlinable
  public func string(_ offset: Int, count: Int) -> String? {
    slice(offset, count: count).map { String(decoding: $0.bytes, as: UTF8.self) }
  }

  /// UTF-8 text from `offset` up to the first NUL or the end.
  @inlinable
  public func cString(from offset: Int) -> String? {
    guard contains(offset, size: 0) else { return nil }
    return String(decoding: bytes[offset...].prefix { $0 != 0 }, as: UTF8.self)
  }

  /// Calls `body` with each byte, in order.
  @inlinable
  public func forEachByte(_ body: (UInt8) -> Void) {
    for byte in bytes { body(byte) }
  }
}

extension WALRecord {
  /// The main data, read checked.
  @inlinable
  public var mainBytes: RecordBytes { RecordBytes(mainData) }

  /// The bytes a block reference's range points at, read checked.
  @inlinable
  public func checkedBytes(in range: Range<Int>) -> RecordBytes { RecordBytes(bytes(in: range)) }
}
