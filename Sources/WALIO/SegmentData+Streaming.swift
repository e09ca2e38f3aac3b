import WALCore

/// A plain file read a piece at a time as the reader reaches it (``SegmentData/Access/streamed``).
extension SegmentData {
  /// The bytes read at a time: each piece is checked while it is still in the CPU's cache.
  package static let streamPiece = 256 << 10

  /// A streamed read of the open file `fd`, `length` bytes in all, whose first bytes `head`
  /// were read already: the first piece read, the file kept open for the rest.
  static func streaming(_ fd: Int32, length: Int, head: UnsafeRawBufferPointer, storedSize: UInt64) -> SegmentData {
    let buffer = BufferPool.shared.take(length)
    buffer.copyMemory(from: head)
    let data = SegmentData(bytes: UnsafeRawBufferPointer(start: buffer.baseAddress, count: head.count), origin: .read,
                           storedSize: storedSize, ownership: .pooled, capacity: buffer.count)
    data.streamedFile = fd
    data.streamedLength = length
    _ = data.extend(toCover: head.count + 1)
    return data
  }

  /// Reads on, in whole pieces, until ``bytes`` reach `end` (never past the file's length);
  /// true when they grew. A file that ends or fails early stops the reading and is
  /// ``isCutShort``. Only for a streamed file (``hasMoreToRead``); one reader at a time.
  public func extend(toCover end: Int) -> Bool {
    guard hasMoreToRead, end > bytes.count, let base = bytes.baseAddress else { return false }
    let start = bytes.count
    let goal = min(streamedLength, (end + Self.streamPiece - 1) / Self.streamPiece * Self.streamPiece)
    let target = UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(mutating: base) + start, count: goal - start)
    var filled = start
    switch Syscalls.read(streamedFile, into: target, at: start) {
    case .success(let count):
      filled += count
      if count < target.count { streamCameShort = true }
    case .failure:
      streamCameShort = true
    }
    bytes = UnsafeRawBufferPointer(start: base, count: filled)
    if streamCameShort || filled == streamedLength {
      Syscalls.closeFile(streamedFile)
      streamedFile = -1
    }
    return filled > start
  }

  /// Reads the rest of a streamed file, for what needs all of it (a checksum of the file).
  public func readToEnd() {
    _ = extend(toCover: streamedLength)
  }

  /// Whether a streamed file still open is now shorter than what it is being read to.
  var streamedFileShrank: Bool {
    guard streamedFile >= 0 else { return false }
    return Syscalls.size(ofOpen: streamedFile).map { $0 < UInt64(streamedLength) } ?? true
  }
}
