import CWALSupport

/// CRC-32C (Castagnoli), the checksum of every WAL record. Uses the CPU's CRC instruction
/// (SSE4.2 or ARMv8) when it has one.
public enum CRC32C {
  /// The checksum of `bytes` (initial value and final XOR `0xFFFFFFFF`).
  @inlinable
  public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    finish(update(start, bytes))
  }

  /// The name of the implementation in use: `sse4.2`, `armv8-crc` or `table`.
  @inlinable
  public static var implementation: String { String(cString: walkit_crc32c_implementation()) }

  /// How ``implementation`` was chosen where the CPU offers more than one wide path: the
  /// speeds measured at start-up (or the `WALKIT_CRC32C` override); empty otherwise.
  public static var selection: String { String(cString: walkit_crc32c_selection()) }

  @usableFromInline package static let start: UInt32 = 0xFFFF_FFFF
  @inline(__always)
  @inlinable
  package static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return crc }
    return walkit_crc32c_update(crc, base, bytes.count)
  }
  @inline(__always)
  @inlinable
  package static func finish(_ crc: UInt32) -> UInt32 { crc ^ 0xFFFF_FFFF }

  /// The finished CRC of a whole record (at least its header): over its body, then the part
  /// of its header before the stored CRC, as PostgreSQL computes it.
  @inline(__always)
  @inlinable
  package static func record(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    walkit_crc32c_record(bytes.baseAddress!, bytes.count, RecordHeader.crcCoveredSize)
  }
}
