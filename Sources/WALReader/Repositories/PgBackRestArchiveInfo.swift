import WALCore
import WALIO

/// pgBackRest's `archive.info`: the stanza's current cluster and every cluster it has archived
/// for (one archive id `<version>-<id>` each).
struct PgBackRestArchiveInfo: Equatable {
  /// A cluster the stanza has archived for.
  struct Cluster: Equatable {
    var id: Int
    var systemIdentifier: UInt64
    var majorVersion: String
    /// The directory name of its WAL: `15-1`.
    var archiveID: String { "\(majorVersion)-\(id)" }
  }

  var current: Cluster
  var history: [Cluster]

  enum ParseError: Error, Equatable, CustomStringConvertible {
    case encrypted
    case missing(String)
    var description: String {
      switch self {
      case .encrypted: "the file is encrypted (it starts with OpenSSL's \"Salted__\" header): the repository uses repo-cipher-type"
      case .missing(let what): "no \(what)"
      }
    }
  }

  /// Parses the INI text pgBackRest writes: `[db]` with `db-id`, `db-system-id`, `db-version`,
  /// and `[db:history]` lines `1={"db-id":<system id>,"db-version":"15"}`.
  init(bytes: [UInt8]) throws(ParseError) {
    if bytes.starts(with: Array("Salted__".utf8)) { throw .encrypted }
    var section = ""
    var values: [String: [String: String]] = [:]
    for raw in String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline) {
      let line = Self.trimmed(raw)
      if line.hasPrefix("[") && line.hasSuffix("]") {
        section = String(line.dropFirst().dropLast())
      } else if let equals = line.firstIndex(of: "=") {
        values[section, default: [:]][String(line[..<equals])] = String(line[line.index(after: equals)...])
      }
    }
    guard let db = values["db"], let id = db["db-id"].flatMap({ Int($0) }),
      let system = db["db-system-id"].flatMap({ UInt64($0) }), let version = db["db-version"].map(Self.unquoted)
    else { throw .missing("[db] section with db-id, db-system-id and db-version") }
    current = Cluster(id: id, systemIdentifier: system, majorVersion: version)
    history = (values["db:history"] ?? [:]).compactMap { key, value in
      guard let id = Int(key), let system = Self.field("db-id", in: value).flatMap({ UInt64($0) }),
        let version = Self.field("db-version", in: value)
      else { return nil }
      return Cluster(id: id, systemIdentifier: system, majorVersion: version)
    }.sorted { $0.id < $1.id }
  }

  /// The cluster an archive id names, from the history (or the current cluster).
  func cluster(archiveID: String) -> Cluster? {
    history.first { $0.archiveID == archiveID } ?? (current.archiveID == archiveID ? current : nil)
  }

  private static func trimmed(_ text: Substring) -> Substring {
    var text = text
    while let first = text.first, first.isWhitespace { text.removeFirst() }
    while let last = text.last, last.isWhitespace { text.removeLast() }
    return text
  }

  private static func unquoted(_ text: String) -> String {
    text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"") ? String(text.dropFirst().dropLast()) : text
  }

  /// The value of `"key":value` or `"key":"value"` in a one-line JSON object.
  private static func field(_ key: String, in json: String) -> String? {
    guard let start = json.firstRange(of: "\"\(key)\":") else { return nil }
    let rest = json[start.upperBound...].drop(while: { $0 == " " })
    if rest.hasPrefix("\"") {
      return rest.dropFirst().prefix(while: { $0 != "\"" }).description
    }
    return rest.prefix(while: { $0.isNumber }).description
  }
}
