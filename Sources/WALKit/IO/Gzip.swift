import CWALSupport

/// Inflates gzip-compressed segments in memory, through the system zlib.
enum Gzip {
  /// Inflates `compressed` completely, refusing output beyond the segment size its long header
  /// announces (`limit` decides it from the first inflated page), so a hostile stream cannot
  /// exhaust memory.
  static func inflate(_ compressed: SegmentData, location: WALLocation,
                      limit: (SegmentData) -> UInt64) throws(WALProblem) -> SegmentData
  {
    let head = try inflate(compressed.bytes, capacity: 8192, location: location, acceptTruncation: true)
    let maximum = limit(head.data)
    guard maximum < UInt64(Int.max) else {
      throw WALProblem(.unreadableFile, "gzip output limit \(maximum) too large", at: location)
    }
    let result = try inflate(compressed.bytes, capacity: Int(maximum) + 1, location: location, acceptTruncation: false)
    if result.full {
      throw WALProblem(
        .unreadableFile, "gzip stream inflates to more than \(maximum) bytes, the segment size; stopped there",
        at: location)
    }
    return result.data
  }

  private static func inflate(_ input: UnsafeRawBufferPointer, capacity: Int, location: WALLocation,
                              acceptTruncation: Bool) throws(WALProblem) -> (data: SegmentData, full: Bool)
  {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
    var produced = 0
    var message = [CChar](repeating: 0, count: 256)
    let status = walkit_gunzip(
      input.baseAddress!.assumingMemoryBound(to: UInt8.self), input.count,
      buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), capacity, &produced, &message, message.count)
    let data = SegmentData.owning(buffer, count: produced, origin: .gzip, storedSize: UInt64(input.count))
    switch status {
    case WALKIT_GUNZIP_OK: return (data, false)
    case WALKIT_GUNZIP_OUTPUT_FULL: return (data, true)
    case WALKIT_GUNZIP_TRUNCATED:
      if acceptTruncation { return (data, false) }
      throw WALProblem(
        .unreadableFile, "gzip stream ends early, after \(produced) bytes of output: the file is truncated",
        at: location)
    case WALKIT_GUNZIP_CORRUPT:
      let text = String(decoding: message.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
      if acceptTruncation && produced > 0 { return (data, false) }
      throw WALProblem(
        .unreadableFile, "gzip stream is corrupt after \(produced) bytes of output: \(text.isEmpty ? "invalid data" : text)",
        at: location)
    default:
      throw WALProblem(.unreadableFile, "out of memory while inflating gzip", at: location)
    }
  }
}
