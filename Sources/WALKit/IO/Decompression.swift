import CWALSupport

/// Decompresses a stored WAL file in memory through the system libraries.
enum Decompression {
  /// Decompresses `compressed` completely, refusing output beyond the segment size its long
  /// header announces (`limit` decides it from the first 8 kB of output), so a hostile stream
  /// cannot exhaust memory.
  static func expand(_ compressed: SegmentData, format: Compression, location: WALLocation,
                     limit: (SegmentData) -> UInt64) throws(WALProblem) -> SegmentData
  {
    let head = try run(format, compressed.bytes, capacity: 8192, location: location, isHead: true)
    let maximum = limit(head)
    guard maximum < UInt64(Int.max) else {
      throw WALProblem(.unreadableFile, "\(format) output limit \(maximum) too large", at: location)
    }
    let whole = try run(format, compressed.bytes, capacity: Int(maximum) + 1, location: location, isHead: false)
    if UInt64(whole.bytes.count) > maximum {
      throw WALProblem(
        .unreadableFile, "\(format) stream expands to more than \(maximum) bytes, the segment size; stopped there",
        at: location)
    }
    return whole
  }

  private static func run(_ format: Compression, _ input: UnsafeRawBufferPointer, capacity: Int, location: WALLocation,
                          isHead: Bool) throws(WALProblem) -> SegmentData
  {
    let buffer = isHead ? UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16) : BufferPool.shared.take(capacity)
    var produced = 0
    var message = [CChar](repeating: 0, count: 256)
    let status = walkit_decompress(
      format.codec!, input.baseAddress!.assumingMemoryBound(to: UInt8.self), input.count,
      buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), capacity, &produced, &message, message.count)
    let data = SegmentData.owning(buffer, count: produced, pooled: !isHead, compression: format, storedSize: UInt64(input.count))
    switch status {
    case WALKIT_DECOMPRESS_OK, WALKIT_DECOMPRESS_OUTPUT_FULL:
      return data
    case WALKIT_DECOMPRESS_TRUNCATED:
      if isHead { return data }
      throw WALProblem(
        .unreadableFile, "\(format) stream ends early, after \(produced) bytes of output: the file is truncated",
        at: location)
    case WALKIT_DECOMPRESS_CORRUPT:
      if isHead && produced > 0 { return data }
      let reason = String(decoding: message.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
      throw WALProblem(
        .unreadableFile,
        "not a valid \(format) stream (\(reason.isEmpty ? "invalid data" : reason)) after \(produced) bytes of output",
        at: location)
    default:
      throw WALProblem(.unreadableFile, "out of memory while decompressing \(format)", at: location)
    }
  }
}
