import CWALSupport
import WALCore

/// How a WAL file is stored: plain, or compressed by one of the formats archive commands and
/// backup tools use.
public enum Compression: String, CaseIterable, Hashable, Sendable, Codable {
  case plain
  case gzip
  case zstd
  /// The LZ4 frame format.
  case lz4
  case bzip2
  case xz
  /// The legacy `.lzma` ("LZMA alone") format, WAL-G's `lzma` method.
  case lzma
  case brotli
  /// The Snappy framing format (python-snappy's streams: Barman cloud's `--snappy`).
  case snappy

  /// The file-name suffixes that say a file is in this format.
  public var suffixes: [String] {
    switch self {
    case .plain: []
    case .gzip: [".gz"]
    case .zstd: [".zst", ".zstd"]
    case .lz4: [".lz4"]
    case .bzip2: [".bz2"]
    case .xz: [".xz"]
    case .lzma: [".lzma"]
    case .brotli: [".br"]
    case .snappy: [".snappy"]
    }
  }

  /// The format a file-name suffix (with its dot) names.
  public init?(suffix: some StringProtocol) {
    guard let found = Self.allCases.first(where: { $0.suffixes.contains(where: { $0 == suffix }) }) else { return nil }
    self = found
  }

  /// The format whose magic bytes `head` starts with. lzma and brotli streams carry no magic
  /// and are never detected this way.
  public static func detect(_ head: UnsafeRawBufferPointer) -> Compression? {
    func starts(_ magic: [UInt8]) -> Bool { head.count >= magic.count && zip(head, magic).allSatisfy { $0 == $1 } }
    if starts([0x1F, 0x8B, 0x08]) { return .gzip }
    if starts([0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
    if starts([0x04, 0x22, 0x4D, 0x18]) { return .lz4 }
    if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
    if starts([0xFF, 0x06, 0x00, 0x00, 0x73, 0x4E, 0x61, 0x50, 0x70, 0x59]) { return .snappy }
    if starts([0x42, 0x5A, 0x68]), head.count > 3, (0x31...0x39).contains(head[3]) { return .bzip2 }
    return nil
  }

  var codec: walkit_compression? {
    switch self {
    case .plain: nil
    case .gzip: WALKIT_GZIP
    case .zstd: WALKIT_ZSTD
    case .lz4: WALKIT_LZ4
    case .bzip2: WALKIT_BZIP2
    case .xz: WALKIT_XZ
    case .lzma: WALKIT_LZMA
    case .brotli: WALKIT_BROTLI
    case .snappy: WALKIT_SNAPPY
    }
  }
}
