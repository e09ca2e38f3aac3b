/// Little-endian loads from borrowed bytes. The only unchecked loads in WALKit are here;
/// callers check lengths once per fixed-size structure, then read its fields.
@usableFromInline package struct ByteReader {
  let bytes: UnsafeRawBufferPointer
  private(set) var position: Int

  init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
    self.bytes = bytes
    self.position = position
  }

  var remaining: Int { bytes.count &- position }

  /// Reads a `T` at the position and advances, or returns `nil` (and stays) when too few
  /// bytes remain.
  @inline(__always)
  mutating func read<T: FixedWidthInteger>(_: T.Type) -> T? {
    guard MemoryLayout<T>.size <= remaining else { return nil }
    defer { position &+= MemoryLayout<T>.size }
    return T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
  }

  /// A field of a structure whose size the caller has already checked.
  @inline(__always)
  @inlinable
  package static func field<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, at offset: Int, as: T.Type) -> T {
    T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
  }
}
