import CWALSupport
import WALCore

/// Decompresses a stored WAL file in memory through the system libraries.
enum Decompression {
  /// Decompresses `compressed` completely, refusing output beyond the segment size its long
  /// header announces (`limit` decides it from the output's first page), so a hostile stream
  /// cannot exhaust memory. One pass for segments up to 16 MiB; a larger announced size
  /// decompresses again into a buffer of that size.
  /// With `acceptsEarlyEnd`, a stream that ends early (a file still being written) gives what
  /// it holds so far.
  static func expand(_ compressed: SegmentData, format: Compression, location: WALLocation,
                     limit: (SegmentData) -> UInt64, acceptsEarlyEnd: Bool = false) throws(WALProblem) -> SegmentData
  {
    let usual = Int(WALGeometry.standard.segmentSize)
    var result = try run(format, compressed.bytes, capacity: usual + 1, location: location, acceptsFullOutput: true,
                         acceptsEarlyEnd: acceptsEarlyEnd)
    let maximum = limit(result)
    guard maximum < UInt64(Int.max) else {
      throw WALProblem(.unreadableFile, "\(format) output limit \(maximum) too large", at: location)
    }
    if result.bytes.count == usual + 1 && maximum > UInt64(usual) {
      result = try run(format, compressed.bytes, capacity: Int(maximum) + 1, location: location, acceptsFullOutput: false,
                       acceptsEarlyEnd: acceptsEarlyEnd)
    }
    if UInt64(result.bytes.count) > maximum {
      throw WALProblem(
        .corruptCompressedFile, "\(format) stream expands to more than \(maximum) bytes, the segment size; stopped there",
        at: location)
    }
    return result
  }

  /// The first `count` bytes of the decompressed stream, decompressing no further, and
  /// whether that is the whole stream (it ended before `count`).
  static func expandPrefix(_ compressed: SegmentData, format: Compression, location: WALLocation,
                           count: Int) throws(WALProblem) -> (SegmentData, isWhole: Bool)
  {
    let data = try run(format, compressed.bytes, capacity: count, location: location, acceptsFullOutput: true)
    return (data, data.bytes.count < count)
  }

  /// Decompresses into a pooled buffer of `capacity` bytes. With `acceptsFullOutput`, a
  /// stream that fills it is returned as far as it got (the caller judges the size) rather than
  /// reported as truncated or corrupt.
  private static func run(_ format: Compression, _ input: UnsafeRawBufferPointer, capacity: Int, location: WALLocation,
                          acceptsFullOutput: Bool, acceptsEarlyEnd: Bool = false) throws(WALProblem) -> SegmentData
  {
    let buffer = BufferPool.shared.take(capacity)
    var produced = 0
    var message = [CChar](repeating: 0, count: 256)
    let status = walkit_decompress(
      format.codec!, input.baseAddress!.assumingMemoryBound(to: UInt8.self), input.count,
      buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), capacity, &produced, &message, message.count)
    let data = SegmentData.owning(buffer, count: produced, compression: format, storedSize: UInt64(input.count))
    if acceptsFullOutput && produced == capacity { return data }
    switch status {
    case WALKIT_DECOMPRESS_OK, WALKIT_DECOMPRESS_OUTPUT_FULL:
      return data
    case WALKIT_DECOMPRESS_TRUNCATED where acceptsEarlyEnd:
      return data
    case WALKIT_DECOMPRESS_TRUNCATED:
      throw WALProblem(
        .corruptCompressedFile, "\(format) stream ends early, after \(produced) bytes of output: the file is truncated",
        at: location)
    case WALKIT_DECOMPRESS_CORRUPT:
      let reason = String(decoding: message.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
      throw WALProblem(
        .corruptCompressedFile,
        "not a valid \(format) stream (\(reason.isEmpty ? "invalid data" : reason)) after \(produced) bytes of output",
        at: location)
    case WALKIT_DECOMPRESS_UNAVAILABLE:
      let codec = Codec(decompressing: format)
      throw WALProblem(.codecUnavailable, "\(format) file not read: \(codec?.unavailableReason ?? "no library")", at: location)
    default:
      throw WALProblem(.unreadableFile, "out of memory while decompressing \(format)", at: location)
    }
  }
}
