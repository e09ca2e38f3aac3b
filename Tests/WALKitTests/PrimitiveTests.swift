import Testing
@testable import WALKit
import CWALSupport

@Suite struct CRC32CTests {
  @Test func standardCheckValue() {
    let bytes = Array("123456789".utf8)
    #expect(bytes.withUnsafeBytes(CRC32C.checksum) == 0xE306_9283)
    #expect(walkit_crc32c_update_portable(0xFFFF_FFFF, bytes, bytes.count) ^ 0xFFFF_FFFF == 0xE306_9283)
  }

  @Test func hardwareAndPortableAgreeOnEveryLengthAndAlignment() {
    var generator = SplitMix(seed: 0x5EED)
    let data = (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
    data.withUnsafeBytes { all in
      for start in 0..<9 {
        for length in [0, 1, 7, 8, 9, 63, 64, 65, 127, 128, 129, 191, 192, 193, 255, 256, 257, 320, 511, 512, 513,
                       767, 768, 769, 1000, 1023, 1024, 1025, 4000, 8168, 8192, 24_575, 24_576, 24_577, 30_000, 99_000] where start + length <= all.count {
          let slice = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
          let fast = walkit_crc32c_update(0xFFFF_FFFF, slice.baseAddress!, length)
          let instruction = walkit_crc32c_update_instruction(0xFFFF_FFFF, slice.baseAddress!, length)
          let portable = walkit_crc32c_update_portable(0xFFFF_FFFF, slice.baseAddress!, length)
          #expect(fast == portable, "start \(start) length \(length)")
          #expect(instruction == portable, "the instruction's path: start \(start) length \(length)")
        }
      }
    }
  }

  /// Every body length on every path (the serial chain, the four chains, the folding), at
  /// three alignments.
  @Test func recordChecksumIsBodyThenCoveredHeaderOnEveryPath() {
    var generator = SplitMix(seed: 0xC0DE)
    let data = (0..<20_004).map { _ in UInt8.random(in: 0...255, using: &generator) }
    data.withUnsafeBytes { all in
      for start in 0..<3 {
        for length in Array(24...1800) + [8192, 20_000] {
          let record = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
          let body = walkit_crc32c_update_portable(0xFFFF_FFFF, record.baseAddress! + 24, length - 24)
          let expected = walkit_crc32c_update_portable(body, record.baseAddress!, 20) ^ 0xFFFF_FFFF
          let found = walkit_crc32c_record(record.baseAddress!, length, 20)
          if found != expected { Issue.record("start \(start) length \(length)") }
        }
      }
    }
  }
}

/// A seeded generator, so random tests repeat (seed printed in the test source).
struct SplitMix: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

@Suite struct LSNTests {
  @Test(arguments: [("16/B374D848", 0x16_B374_D848 as UInt64), ("0/600EB00", 0x600EB00), ("0/0600EB00", 0x600EB00),
                    ("FFFFFFFF/FFFFFFFF", UInt64.max), ("0/0", 0)])
  func parses(_ text: String, _ value: UInt64) {
    #expect(LSN(text) == LSN(value))
  }

  @Test(arguments: ["", "/", "0/", "/0", "1/2/3", "G/0", "123456789/0", "0/-1", "0x1/0"])
  func rejects(_ text: String) {
    #expect(LSN(text) == nil)
  }

  @Test func formatsAsPostgreSQLDoes() {
    #expect(LSN(0x16_B374_D848).description == "16/B374D848")
    #expect(LSN(0x600EB00).description == "0/600EB00")
    #expect(LSN(0x600EB00).paddedDescription == "0/0600EB00")
  }

  @Test func arithmeticRefusesOverflow() {
    #expect(LSN(.max).advanced(by: 1) == nil)
    #expect(LSN(7).maxAligned == LSN(8))
    #expect(LSN(8).maxAligned == LSN(8))
  }
}

@Suite struct SegmentNameTests {
  @Test(arguments: [
    (1 << 20 as UInt64, 0x2500028 as UInt64, "000000010000000000000025"),
    (16 << 20, 0x600EB00, "000000010000000000000006"),
    (64 << 20, 0x1_0400_0000, "000000010000000100000001"),
    (1 << 30, 0x2_C000_0000, "000000010000000200000003"),
  ])
  func namesTheSegmentHoldingAnLSN(_ segmentSize: UInt64, _ lsn: UInt64, _ expected: String) throws {
    let geometry = try #require(WALGeometry(segmentSize: segmentSize, pageSize: 8192))
    let segment = geometry.segment(containing: LSN(lsn))
    let name = try #require(SegmentName(timeline: TimelineID(1), segment: segment, geometry: geometry))
    #expect(name.description == expected)
    #expect(SegmentName(fileName: expected)?.segment(in: geometry) == segment)
  }

  @Test func lastFieldMustFitTheSegmentSize() throws {
    let geometry = try #require(WALGeometry(segmentSize: 16 << 20, pageSize: 8192))
    #expect(SegmentName(fileName: "000000010000000000000100")?.segment(in: geometry) == nil)
  }

  @Test(arguments: ["00000001000000000000000", "0000000100000000000000001", "00000001000000000000000G", ""])
  func rejectsMalformedNames(_ text: String) {
    #expect(SegmentName(fileName: text) == nil)
  }

  @Test func classifiesFilesOfAnArchive() {
    let name = SegmentName(fileName: "00000001000000000000000E")!
    #expect(WALFile.classify(fileName: "00000001000000000000000E") == .segment(name, partial: false, compression: nil))
    #expect(WALFile.classify(fileName: "00000001000000000000000E.partial") == .segment(name, partial: true, compression: nil))
    #expect(WALFile.classify(fileName: "00000001000000000000000E.gz") == .segment(name, partial: false, compression: .gzip))
    #expect(WALFile.classify(fileName: "00000001000000000000000E.partial.zst") == .segment(name, partial: true, compression: .zstd))
    #expect(WALFile.classify(fileName: "00000001000000000000000E.lz4.partial") == .segment(name, partial: true, compression: .lz4))
    for format in Compression.allCases where format != .plain {
      for suffix in format.suffixes {
        #expect(WALFile.classify(fileName: "00000001000000000000000E" + suffix) == .segment(name, partial: false, compression: format))
      }
    }
    #expect(WALFile.classify(fileName: "00000002.history") == .timelineHistory(TimelineID(2), compression: nil))
    #expect(WALFile.classify(fileName: "00000002.history.br") == .timelineHistory(TimelineID(2), compression: .brotli))
    #expect(WALFile.classify(fileName: "00000001000000000000000C.00000028.backup") == .backupHistory(compression: nil))
    #expect(WALFile.classify(fileName: "00000001000000000000000C.00000028.backup.lzma") == .backupHistory(compression: .lzma))
    #expect(WALFile.classify(fileName: "backup_label") == .other)
    #expect(WALFile.classify(fileName: "00000001000000000000000E.rar") == .other)
    #expect(WALFile.classify(fileName: "00000002.history.partial") == .other)
  }

  @Test(arguments: [0 as UInt64, 1 << 19, 3 << 20, 2 << 30])
  func refusesImpossibleSegmentSizes(_ size: UInt64) {
    #expect(WALGeometry(segmentSize: size, pageSize: 8192) == nil)
  }
}

@Suite struct VersionTests {
  @Test func everySupportedMagicMapsBack() {
    #expect(WALVersion.supported.map(\.major) == Array(10...18))
    for version in WALVersion.supported { #expect(WALVersion(pageMagic: version.pageMagic) == version) }
    #expect(WALVersion(pageMagic: 0xD093) == nil)  // 9.6
  }

  @Test(arguments: Fixture.sets)
  func firstPageHasLongHeaderAndTheRightMagic(_ set: Fixture.Set) throws {
    let first = try #require(set.segmentPaths.first)
    let data = try SegmentData.load(path: first, inflateLimit: SegmentData.announcedSegmentSize)
    let header = try #require(PageHeader(decoding: data.bytes))
    #expect(header.isLong)
    #expect(WALVersion(pageMagic: header.magic)?.major == set.version)
    #expect(header.long?.pageSize == 8192)
  }

  @Test func resourceManagerTableIsInIDOrder() {
    for (index, manager) in ResourceManager.builtIn.enumerated() { #expect(Int(manager.id) == index) }
    #expect(ResourceManager(id: 10).name == "Heap")
    #expect(ResourceManager(id: 128).name == "custom128")
    #expect(ResourceManager.named("heap2")?.id == 9)
  }
}
