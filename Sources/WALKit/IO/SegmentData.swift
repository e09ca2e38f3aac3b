import CWALSupport

/// The bytes of one WAL file, read-only: a memory mapping of a plain file, or a buffer holding
/// a decompressed one. The bytes live as long as this object.
public final class SegmentData: @unchecked Sendable {
  /// How the bytes reached memory.
  public enum Origin: Sendable, Equatable { case mapped, gzip, memory }

  public let bytes: UnsafeRawBufferPointer
  public let origin: Origin
  /// The size of the file on disk (compressed size for gzip).
  public let storedSize: UInt64
  private let ownership: Ownership

  /// What to give back when the bytes are no longer needed.
  private enum Ownership { case none, mapping, allocation }

  private init(bytes: UnsafeRawBufferPointer, origin: Origin, storedSize: UInt64, ownership: Ownership) {
    self.bytes = bytes
    self.origin = origin
    self.storedSize = storedSize
    self.ownership = ownership
  }

  deinit {
    guard let base = bytes.baseAddress else { return }
    switch ownership {
    case .none: break
    case .mapping: Syscalls.unmap(base, length: bytes.count)
    case .allocation: base.deallocate()
    }
  }

  /// A copy of `bytes`, for tests and tools that build WAL in memory.
  public convenience init(copying bytes: some Collection<UInt8>) {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
    buffer.copyBytes(from: bytes)
    self.init(bytes: UnsafeRawBufferPointer(start: buffer.baseAddress, count: bytes.count), origin: .memory,
              storedSize: UInt64(bytes.count), ownership: .allocation)
  }

  static let gzipMagic: [UInt8] = [0x1F, 0x8B, 0x08]

  /// Opens `path` read-only: maps a plain file, inflates a gzip file (detected by its magic
  /// bytes) into memory, never more than `inflateLimit` bytes.
  ///
  /// - Throws: `unexpected-file` for anything but a regular file, `unreadable-file` when it
  ///   cannot be opened, mapped or inflated.
  public static func load(path: String, inflateLimit: (SegmentData) -> UInt64 = { _ in WALGeometry.standard.segmentSize })
    throws(WALProblem) -> SegmentData
  {
    let location = WALLocation(file: path)
    let fd: Int32
    let status: Syscalls.FileStatus
    switch Syscalls.openReadOnly(path) {
    case .failure(let error):
      throw WALProblem(.unreadableFile, "cannot open: \(error)", at: location)
    case .success(let opened):
      (fd, status) = opened
    }
    defer { Syscalls.closeFile(fd) }
    guard case .regular = status.type else {
      let what: String
      switch status.type {
      case .other(let text): what = text
      case .directory: what = "a directory"
      default: what = "not a regular file"
      }
      throw WALProblem(.unexpectedFile, "expected a regular file, found \(what); not read", at: location)
    }
    guard status.size > 0 else {
      return SegmentData(bytes: UnsafeRawBufferPointer(start: nil, count: 0), origin: .mapped,
                         storedSize: 0, ownership: .none)
    }
    guard status.size <= UInt64(Int.max) else {
      throw WALProblem(.unreadableFile, "file size \(status.size) cannot be mapped", at: location)
    }
    let length = Int(status.size)
    let address: UnsafeRawPointer
    switch Syscalls.mapReadOnly(fd, length: length) {
    case .failure(let error):
      throw WALProblem(.unreadableFile, "cannot map \(length) bytes: \(error)", at: location)
    case .success(let mapped):
      address = mapped
    }
    let mapped = SegmentData(bytes: UnsafeRawBufferPointer(start: address, count: length), origin: .mapped,
                             storedSize: status.size, ownership: .mapping)
    guard mapped.bytes.starts(with: gzipMagic) else { return mapped }
    return try Gzip.inflate(mapped, location: location, limit: inflateLimit)
  }

  static func owning(_ buffer: UnsafeMutableRawBufferPointer, count: Int, origin: Origin, storedSize: UInt64) -> SegmentData {
    SegmentData(bytes: UnsafeRawBufferPointer(start: buffer.baseAddress, count: count), origin: origin,
                storedSize: storedSize, ownership: .allocation)
  }
}
