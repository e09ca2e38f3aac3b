import Foundation
@testable import WALKit

/// Crafts CRC-valid records with absurd contents: rewrites bytes of a real record's main data in
/// a copy of a real segment and recomputes the record's CRC, as a hostile writer could.
enum RecordPatcher {
  /// A record found in a segment file, held within one page.
  struct Found {
    var lsn: LSN
    var fileOffset: Int
    var totalLength: Int
    var mainData: Range<Int>
  }

  /// The first record of `path` (a plain segment) that `matches` and does not cross a page.
  static func find(in path: String, pageSize: Int = 8192, where matches: (WALRecord) -> Bool) throws -> Found? {
    var found: Found?
    _ = try WALStream(paths: [path]).forEachRecord(in: nil) { record in
      let offset = Int(record.geometry.segmentOffset(of: record.lsn))
      let length = Int(record.header.totalLength)
      if found == nil, matches(record), offset % pageSize + length <= pageSize {
        found = Found(lsn: record.lsn, fileOffset: offset, totalLength: length, mainData: record.mainDataRange)
      }
      return found == nil
    }
    return found
  }

  /// Overwrites `bytes` at `offset` into the record's main data and fixes the CRC.
  static func patch(_ path: String, _ record: Found, mainDataOffset offset: Int, with bytes: [UInt8]) throws {
    try Scratch.patch(path) { file in
      let start = record.fileOffset + record.mainData.lowerBound + offset
      file.replaceSubrange(start..<(start + bytes.count), with: bytes)
      let recordBytes = Array(file[record.fileOffset..<(record.fileOffset + record.totalLength)])
      let crc = recordBytes.withUnsafeBytes { raw in
        let body = CRC32C.update(CRC32C.start, UnsafeRawBufferPointer(rebasing: raw[RecordHeader.size...]))
        return CRC32C.finish(CRC32C.update(body, UnsafeRawBufferPointer(rebasing: raw[0..<RecordHeader.crcCoveredSize])))
      }
      withUnsafeBytes(of: crc.littleEndian) { file.replaceSubrange((record.fileOffset + 20)..<(record.fileOffset + 24), with: $0) }
    }
  }

  static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}
