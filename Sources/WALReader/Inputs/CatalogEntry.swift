import CWALSupport
import WALCore
import WALIO

/// What a backup tool's catalogue says about one stored WAL file: checked against the file
/// when it is read.
public struct CatalogEntry: Hashable, Sendable {
  /// Where the claims come from, for messages: `archive.info (archive id 15-1)`, `xlog.db`.
  public var source: String
  /// SHA-1 of the decompressed content, lowercase hex (pgBackRest's file names).
  public var sha1: String?
  /// The compression recorded for the file (Barman's `xlog.db`).
  public var compression: Compression?
  /// The cluster the WAL must come from (pgBackRest's `archive.info`).
  public var systemIdentifier: UInt64?
  /// The PostgreSQL major version the WAL must come from.
  public var majorVersion: Int?
  /// Why the tool will not hand the file to a restore (a segment pgBackRest holds twice).
  public var refusal: WALProblem?
  /// The encryption the catalogue records (Barman's `gpg`): the tool decrypts the file for a
  /// restore, and walkit, which cannot, does not read it (``unreadable``).
  public var encryption: String?

  /// Why walkit does not read the file at all: it is encrypted.
  var unreadable: WALProblem? {
    guard let encryption else { return nil }
    return WALProblem(.codecUnavailable,
      "encrypted (\(encryption), as \(source) records): walkit reads unencrypted WAL only, and did not read it; the backup tool decrypts it for a restore",
      at: WALLocation())
  }

  public init(source: String, sha1: String? = nil, compression: Compression? = nil,
              systemIdentifier: UInt64? = nil, majorVersion: Int? = nil) {
    self.source = source
    self.sha1 = sha1
    self.compression = compression
    self.systemIdentifier = systemIdentifier
    self.majorVersion = majorVersion
  }

  /// The claims `data` (read from the file) and `scan` (what its WAL says) contradict.
  func contradictions(of data: SegmentData, scan: SegmentScan, at location: WALLocation) -> [WALProblem] {
    var found: [WALProblem] = []
    if let compression, compression != data.compression {
      found.append(WALProblem(.catalogMismatch,
        "\(source) records the file as \(compression), its content is \(data.compression)", at: location))
    }
    if let sha1 {
      if let actual = Self.sha1(of: data.bytes) {
        if actual != sha1 {
          found.append(WALProblem(.checksumMismatch,
            "the file name carries SHA-1 \(sha1), the checksum the backup tool took of the segment; the \(data.compression == .plain ? "" : "decompressed ")content has \(actual)",
            at: location))
        }
      } else {
        let reason = Codec.sha1.isAvailable ? "libcrypto failed to compute it" : Codec.sha1.unavailableReason
        found.append(WALProblem(.codecUnavailable, "the SHA-1 in the file name (\(sha1)) was not checked: \(reason)", at: location))
      }
    }
    found += clusterContradictions(of: scan, at: location)
    return found
  }

  /// The claims about the cluster the WAL comes from that `scan` contradicts. The tool hands a
  /// file only to a restore of the cluster it records (pgBackRest's archive-get looks only in
  /// archive ids recorded with the restoring cluster's system identifier and version), so a
  /// restore of the cluster that wrote this WAL does not get it.
  func clusterContradictions(of scan: SegmentScan, at location: WALLocation) -> [WALProblem] {
    let consequence = "a restore of the cluster that wrote it does not get it from there"
    var found: [WALProblem] = []
    if let systemIdentifier, let actual = scan.systemIdentifier, actual != systemIdentifier {
      found.append(WALProblem(.catalogMismatch,
        "\(source) records system identifier \(systemIdentifier), the segment's long header carries \(actual): \(consequence)",
        at: location))
    }
    if let majorVersion, let actual = scan.version, actual.major != majorVersion {
      found.append(WALProblem(.catalogMismatch,
        "\(source) records PostgreSQL \(majorVersion), the segment's pages are PostgreSQL \(actual.major)'s: \(consequence)",
        at: location))
    }
    return found
  }

  /// Lowercase hex SHA-1 of `bytes`; `nil` when libcrypto is missing or fails.
  static func sha1(of bytes: UnsafeRawBufferPointer) -> String? {
    var digest = [UInt8](repeating: 0, count: 20)
    guard walkit_sha1(bytes.baseAddress, bytes.count, &digest) == 1 else { return nil }
    let hex: [UInt8] = Array("0123456789abcdef".utf8)
    var text = [UInt8]()
    text.reserveCapacity(40)
    for byte in digest {
      text.append(hex[Int(byte >> 4)])
      text.append(hex[Int(byte & 15)])
    }
    return String(decoding: text, as: UTF8.self)
  }
}

/// A catalogue entry behind a reference, compared by value.
final class CatalogBox: Hashable, Sendable {
  let entry: CatalogEntry
  init(_ entry: CatalogEntry) { self.entry = entry }
  static func == (a: CatalogBox, b: CatalogBox) -> Bool { a.entry == b.entry }
  func hash(into hasher: inout Hasher) { hasher.combine(entry) }
}
