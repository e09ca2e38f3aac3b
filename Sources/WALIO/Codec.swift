import CWALSupport

/// An optional library walkit loads when a file first needs it (`dlopen` of its versioned file
/// name), so that building needs only zlib and a machine without, say, liblz4 still reads
/// every file that is not lz4. zlib, for gzip, is always there.
public enum Codec: CaseIterable, Sendable {
  case lz4, zstd, bzip2, xz, brotli
  /// gzip's fast path; zlib decompresses gzip without it.
  case libdeflate
  /// SHA-1, for the checksums pgBackRest puts in file names (OpenSSL's libcrypto).
  case sha1

  /// Whether the library was found with every function walkit calls (loads it on first use).
  public var isAvailable: Bool { walkit_codec_available(raw) != 0 }
  /// The library's file name: `liblz4.so.1`.
  public var library: String { String(cString: walkit_codec_library(raw)) }
  /// The Debian package that provides it: `liblz4-1`.
  public var package: String { String(cString: walkit_codec_package(raw)) }
  /// The library's own version, where it says one.
  public var version: String? { nonEmpty(walkit_codec_version(raw)) }
  /// Why it is unavailable: `not found`, `disabled by WALKIT_DISABLE_CODECS`, a missing function.
  public var problem: String? { nonEmpty(walkit_codec_problem(raw)) }

  /// What walkit reads with it.
  public var purpose: String {
    switch self {
    case .lz4: "lz4 files, lz4 full-page images"
    case .zstd: "zstd files, zstd full-page images"
    case .bzip2: "bzip2 files"
    case .xz: "xz and lzma files"
    case .brotli: "brotli files"
    case .libdeflate: "gzip files, fast path"
    case .sha1: "SHA-1 of pgBackRest checksums"
    }
  }

  /// zlib's version, for gzip.
  public static var zlibVersion: String { String(cString: walkit_zlib_version()) }

  /// The library that decompresses `format`; `nil` for plain, gzip (zlib, linked) and Snappy
  /// (walkit's own decoder).
  public init?(decompressing format: Compression) {
    switch format {
    case .plain, .gzip, .snappy: return nil
    case .zstd: self = .zstd
    case .lz4: self = .lz4
    case .bzip2: self = .bzip2
    case .xz, .lzma: self = .xz
    case .brotli: self = .brotli
    }
  }

  /// `liblz4.so.1 is not installed (Debian package liblz4-1)`, or the library's other problem.
  public var unavailableReason: String {
    let reason = problem ?? "not found"
    return reason == "not found"
      ? "\(library) is not installed (Debian package \(package))"
      : "\(library) cannot be used: \(reason) (Debian package \(package))"
  }

  var raw: walkit_codec {
    switch self {
    case .lz4: WALKIT_CODEC_LZ4
    case .zstd: WALKIT_CODEC_ZSTD
    case .bzip2: WALKIT_CODEC_BZIP2
    case .xz: WALKIT_CODEC_XZ
    case .brotli: WALKIT_CODEC_BROTLI
    case .libdeflate: WALKIT_CODEC_LIBDEFLATE
    case .sha1: WALKIT_CODEC_SHA1
    }
  }
}

private func nonEmpty(_ text: UnsafePointer<CChar>) -> String? {
  let string = String(cString: text)
  return string.isEmpty ? nil : string
}
