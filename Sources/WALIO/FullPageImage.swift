import CWALSupport
import WALCore

/// Rebuilds the 8 kB page a full-page image stands for: decompresses it (pglz, lz4, zstd) and
/// puts the omitted hole of zeros back, as PostgreSQL's `RestoreBlockImage` does.
public enum FullPageImage {
  /// Why an image cannot be restored.
  public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String
  }

  /// The page behind `block`'s image in `record`.
  ///
  /// - Throws: ``Failure`` when the block has no image, or it does not decompress to exactly
  ///   the page size less the hole.
  public static func restore(_ block: BlockReference, of record: WALRecord, pageSize: Int = 8192) throws(Failure) -> [UInt8] {
    guard let image = block.image else { throw Failure(description: "block \(block.id) has no full-page image") }
    let stored = record.bytes(in: image.bytes)
    let bodyLength = pageSize - Int(image.holeLength)
    guard bodyLength > 0, Int(image.holeOffset) <= bodyLength else {
      throw Failure(description: "image hole offset \(image.holeOffset) length \(image.holeLength) does not fit a \(pageSize)-byte page")
    }
    var body = [UInt8](repeating: 0, count: bodyLength)
    switch image.compression {
    case .none:
      guard stored.count == bodyLength else {
        throw Failure(description: "uncompressed image of \(stored.count) bytes, expected \(bodyLength)")
      }
      body.withUnsafeMutableBytes { $0.copyMemory(from: stored) }
    case .pglz:
      guard let produced = PGLZ.decompress(stored, into: &body), produced == bodyLength else {
        throw Failure(description: "pglz image at \(record.lsn), block \(block.id), does not decompress to \(bodyLength) bytes")
      }
    case .lz4:
      guard Codec.lz4.isAvailable else {
        throw Failure(description: "lz4 image at \(record.lsn), block \(block.id), not restored: \(Codec.lz4.unavailableReason)")
      }
      let produced = body.withUnsafeMutableBytes { output in
        walkit_lz4_decompress(stored.baseAddress, Int32(stored.count), output.baseAddress, Int32(bodyLength))
      }
      guard produced == bodyLength else {
        throw Failure(description: "lz4 image at \(record.lsn), block \(block.id), does not decompress to \(bodyLength) bytes")
      }
    case .zstd:
      guard Codec.zstd.isAvailable else {
        throw Failure(description: "zstd image at \(record.lsn), block \(block.id), not restored: \(Codec.zstd.unavailableReason)")
      }
      let produced = body.withUnsafeMutableBytes { output in
        walkit_zstd_decompress(stored.baseAddress, stored.count, output.baseAddress, bodyLength)
      }
      guard produced == bodyLength else {
        throw Failure(description: "zstd image at \(record.lsn), block \(block.id), does not decompress to \(bodyLength) bytes")
      }
    }
    var page = [UInt8](repeating: 0, count: pageSize)
    let hole = Int(image.holeOffset)
    page.replaceSubrange(0..<hole, with: body[0..<hole])
    page.replaceSubrange((hole + Int(image.holeLength))..<pageSize, with: body[hole...])
    return page
  }
}

/// PostgreSQL's LZ77 variant (`pglz_decompress`): control bytes whose bits, least significant
/// first, say whether a literal byte or a back-reference (length 3–273, offset 1–4095) follows.
enum PGLZ {
  /// Decompresses `input` into `output`; the number of bytes produced when the input was
  /// consumed exactly and fit, else `nil`.
  static func decompress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Int? {
    var source = 0
    var produced = 0
    let capacity = output.count
    while source < input.count && produced < capacity {
      var control = input[source]
      source += 1
      for _ in 0..<8 {
        guard source < input.count, produced < capacity else { break }
        if control & 1 != 0 {
          guard source + 1 < input.count else { return nil }
          var length = Int(input[source] & 0x0F) + 3
          let offset = Int(input[source] & 0xF0) << 4 | Int(input[source + 1])
          source += 2
          if length == 18 {
            guard source < input.count else { return nil }
            length += Int(input[source])
            source += 1
          }
          guard offset > 0, offset <= produced else { return nil }
          length = min(length, capacity - produced)
          for _ in 0..<length {
            output[produced] = output[produced - offset]
            produced += 1
          }
        } else {
          output[produced] = input[source]
          produced += 1
          source += 1
        }
        control >>= 1
      }
    }
    return source == input.count ? produced : nil
  }
}
