#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WALCore

/// One resource manager's descriptions, as its `rmgrdesc/*desc.c` writes them in each version;
/// the protocol's extension has the checked loads of little-endian fields and the forms
/// PostgreSQL prints relations in.
protocol RecordDescriber: Sendable {
  /// What pg_waldump prints after the record type (`rm_desc`); `nil` when the record's bytes
  /// do not hold what its type promises.
  static func describe(_ record: WALRecord) -> String?
}

/// `CATALOG_VERSION_NO` of each release, part of a tablespace's directory name
/// (`PG_16_202307071`); the value each release branch was stamped with.
private let catalogVersions: [Int: String] = [
  10: "201707211", 11: "201809051", 12: "201909212", 13: "202007201", 14: "202107181", 15: "202209061",
  16: "202307071", 17: "202406281", 18: "202506291",
]

extension RecordDescriber {
  /// What a byte writer appends, as a string; `nil` when it appends nothing.
  static func text(_ write: (TextBuffer) -> Bool) -> String? {
    let bytes = TextBuffer(capacity: 256)
    return write(bytes) ? bytes.text : nil
  }

  static func u32(_ data: RecordBytes, _ offset: Int) -> UInt32? { data.u32(offset) }

  static func u64(_ data: RecordBytes, _ offset: Int) -> UInt64? { data.u64(offset) }

  static func u16(_ data: RecordBytes, _ offset: Int) -> UInt16? { data.u16(offset) }

  static func i64(_ data: RecordBytes, _ offset: Int) -> Int64? {
    u64(data, offset).map { Int64(bitPattern: $0) }
  }

  static func i32(_ data: RecordBytes, _ offset: Int) -> Int32? {
    u32(data, offset).map { Int32(bitPattern: $0) }
  }

  /// The path of a relation's fork the way `relpathperm` writes it.
  static func relationPath(_ relation: RelFileLocator, fork: ForkNumber, version: WALVersion? = nil) -> String? {
    let suffix = fork == .main ? "" : "_\(fork)"
    switch relation.tablespace {
    case 1663: return "base/\(relation.database)/\(relation.relation)\(suffix)"
    case 1664: return "global/\(relation.relation)\(suffix)"
    default:
      guard let version, let catalog = catalogVersions[version.major] else { return nil }
      return "pg_tblspc/\(relation.tablespace)/PG_\(version.major)_\(catalog)/\(relation.database)/\(relation.relation)\(suffix)"
    }
  }

  /// The SLRU page number at the start of the main data: `int` before 17, `int64` from 17.
  static func pageNumber(_ data: RecordBytes, wide: Bool) -> Int64? {
    wide ? i64(data, 0) : i32(data, 0).map(Int64.init)
  }

  /// A double as C's printf writes it with `specification` (`%g`, `%f`).
  static func format(_ specification: String, _ value: Double) -> String {
    var buffer = [CChar](repeating: 0, count: 512)
    let written = withVaList([value]) { vsnprintf(&buffer, buffer.count, specification, $0) }
    let length = min(max(Int(written), 0), buffer.count - 1)
    return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  static func locator(_ data: RecordBytes, _ offset: Int) -> RelFileLocator? {
    guard let tablespace = u32(data, offset), let database = u32(data, offset + 4), let relation = u32(data, offset + 8)
    else { return nil }
    return RelFileLocator(tablespace: tablespace, database: database, relation: relation)
  }
}
