import Foundation
import Testing
@testable import WALKit
@testable import WALCore

/// The record loop's fast path checks a record's headers with `isConsistent`, which must accept
/// exactly what `check` (PostgreSQL's `DecodeXLogRecord` checks) accepts: on real records of
/// every version, and on each of them with its header region mutated.
@Suite struct RecordConsistencyTests {
  @Test(arguments: Fixture.plainSets + Fixture.versionSets.filter { $0.timeline == TimelineID(1) } + [Fixture.sets[5]])
  func theLeanCheckAcceptsExactlyWhatTheDecoderAccepts(_ set: Fixture.Set) throws {
    var records: [(bytes: [UInt8], version: WALVersion)] = []
    _ = try WALStream(paths: set.segmentPaths).forEachRecord(timeline: set.timeline) { record in
      if record.hasAllBytes, record.bytes.count < 64 << 10 { records.append((Array(record.bytes), record.version)) }
    }
    try #require(records.count > 300)
    var generator = SplitMix(seed: 0xB10C)
    var accepted = 0, rejected = 0
    for (index, record) in records.enumerated() {
      var variants = [record.bytes]
      if index % 3 == 0 {
        for _ in 0..<8 {
          var mutated = record.bytes
          let region = min(mutated.count, RecordHeader.size + 80)
          for _ in 0..<Int.random(in: 1...3, using: &generator) {
            let at = Int.random(in: RecordHeader.size..<max(RecordHeader.size + 1, region), using: &generator)
            if at < mutated.count { mutated[at] = UInt8.random(in: 0...255, using: &generator) }
          }
          variants.append(mutated)
          variants.append(Array(record.bytes.prefix(Int.random(in: RecordHeader.size...record.bytes.count, using: &generator))))
        }
      }
      for bytes in variants {
        for blockSize in [8192, 4096] {
          bytes.withUnsafeBytes { raw in
            let lean = RecordBodyDecoder.isConsistent(raw, totalLength: raw.count, version: record.version, dataBlockSize: blockSize)
            let full = (try? RecordBodyDecoder.check(raw, totalLength: raw.count, version: record.version,
                                                     dataBlockSize: blockSize)) != nil
            if lean != full { Issue.record("\(set.name) record \(index): isConsistent \(lean), check \(full): \(bytes.prefix(96))") }
            if full { accepted += 1 } else { rejected += 1 }
          }
        }
      }
    }
    #expect(accepted > records.count && rejected > records.count / 2)
  }

  /// Every combination of a block header's flags and image fields, written consistently or
  /// not, with a payload of the announced size or one byte off: the image checks are rare in
  /// real WAL, so they are enumerated.
  @Test func theLeanCheckAgreesOnEveryImageAndBlockFlagCombination() throws {
    var cases = 0, accepted = 0
    for major in [13, 14, 15] {
      let version = try #require(WALVersion(major: major))
      for forkBits in 0..<8 {
        let image: UInt8 = forkBits & 1 != 0 ? 0x10 : 0
        let data: UInt8 = forkBits & 2 != 0 ? 0x20 : 0
        let sameRelation: UInt8 = forkBits & 4 != 0 ? 0x80 : 0
        let forkFlags = image | data | sameRelation
        for dataLength in [0, 10] {
          for info in forkFlags & 0x10 != 0 ? Array(0..<32) : [0] {
            for holeOffset in [0, 100] {
              for imageLength in [8192, 4096, 100] {
                for writesHoleLength in [false, true] {
                  for holeLength in writesHoleLength ? [0, 50] : [0] {
                    for payloadError in [-1, 0, 1] {
                      var bytes = [UInt8](repeating: 0, count: RecordHeader.size)
                      bytes += [0, forkFlags]
                      bytes += le(UInt16(dataLength))
                      var payload = dataLength
                      if forkFlags & 0x10 != 0 {
                        bytes += le(UInt16(imageLength))
                        bytes += le(UInt16(holeOffset))
                        bytes.append(UInt8(info))
                        if writesHoleLength { bytes += le(UInt16(holeLength)) }
                        payload += imageLength
                      }
                      if forkFlags & 0x80 == 0 { bytes += [UInt8](repeating: 7, count: 12) }
                      bytes += le(UInt32(3))
                      bytes += [0xFF, 5]
                      payload += 5
                      bytes += [UInt8](repeating: 9, count: max(0, payload + payloadError))
                      for blockSize in [8192, 4096] {
                        bytes.withUnsafeBytes { raw in
                          let lean = RecordBodyDecoder.isConsistent(raw, totalLength: raw.count, version: version, dataBlockSize: blockSize)
                          let full = (try? RecordBodyDecoder.check(raw, totalLength: raw.count, version: version,
                                                                   dataBlockSize: blockSize)) != nil
                          if lean != full {
                            Issue.record("PG \(major) fork \(forkFlags) data \(dataLength) info \(info) hole \(holeOffset)/\(holeLength) image \(imageLength) payload \(payloadError) block \(blockSize): isConsistent \(lean), check \(full)")
                          }
                          cases += 1
                          if full { accepted += 1 }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    #expect(cases > 80_000 && accepted > 800, "\(cases) cases, \(accepted) accepted")
  }

  private func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}
