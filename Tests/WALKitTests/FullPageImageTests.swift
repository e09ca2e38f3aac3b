import Testing
@testable import WALKit
@testable import WALIO

/// Every full-page image of the real WAL restores to a well-formed page: pglz, lz4 and zstd
/// (PostgreSQL 15 switched methods during the workload), with the hole exactly between the
/// page's pd_lower and pd_upper, as the writer cut it.
@Suite struct FullPageImageTests {
  @Test(arguments: Fixture.plainSets)
  func everyImageRestoresToAWellFormedPage(_ set: Fixture.Set) throws {
    var restored: [BlockReference.Compression: Int] = [:]
    var failures: [String] = []
    _ = try WALStream(paths: [set.archiveURL.path]).forEachRecord { record in
      for block in record.blocks {
        guard let image = block.image else { continue }
        do {
          let page = try FullPageImage.restore(block, of: record)
          let field = { (offset: Int) in UInt16(page[offset]) | UInt16(page[offset + 1]) << 8 }
          let lower = field(12), upper = field(14), special = field(16), sizeVersion = field(18)
          if sizeVersion != 0x2004 || lower > upper || upper > special || special > 8192 {
            failures.append("\(record.lsn) block \(block.id): page header \(lower)/\(upper)/\(special)/\(sizeVersion)")
          }
          if image.holeLength > 0 && (Int(image.holeOffset) != Int(lower) || Int(image.holeOffset) + Int(image.holeLength) != Int(upper)) {
            failures.append("\(record.lsn) block \(block.id): hole \(image.holeOffset)+\(image.holeLength) vs \(lower)..\(upper)")
          }
          restored[image.compression, default: 0] += 1
        } catch {
          failures.append("\(error)")
        }
      }
    }
    #expect(failures.isEmpty, "\(failures.prefix(5))")
    if set.version == 15 {
      // pg_waldump -b of this set showed 146 pglz, 61 lz4 and 107 zstd images.
      #expect(restored[.pglz] == 146 && restored[.lz4] == 61 && restored[.zstd] == 107, "\(restored)")
    } else {
      #expect(restored[.pglz, default: 0] > 100)
    }
  }

  @Test func pglzRefusesTruncatedAndOverlongInput() {
    var output = [UInt8](repeating: 0, count: 16)
    // Control byte 0b10 after a literal: a back-reference with nothing behind it.
    let truncated: [UInt8] = [0b0000_0010, 0x41, 0x0F]
    #expect(truncated.withUnsafeBytes { PGLZ.decompress($0, into: &output) } == nil)
    let offsetTooFar: [UInt8] = [0b0000_0010, 0x41, 0x00, 0x05]
    #expect(offsetTooFar.withUnsafeBytes { PGLZ.decompress($0, into: &output) } == nil)
    let literals: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8]
    var eight = [UInt8](repeating: 0, count: 8)
    #expect(literals.withUnsafeBytes { PGLZ.decompress($0, into: &eight) } == 8)
    #expect(eight == [1, 2, 3, 4, 5, 6, 7, 8])
  }
}
