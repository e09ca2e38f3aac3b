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
  /// `[backrest] backrest-checksum`, and the SHA-1 pgBackRest computes of the content to check
  /// it (`nil` when libcrypto is missing).
  var recordedChecksum: String?
  var actualChecksum: String?

  /// Why pgBackRest would not load the file: it checks `backrest-checksum` against the SHA-1
  /// of the content rendered as JSON, and refuses a file without one.
  var checksumFailure: String? {
    guard let actualChecksum else { return nil }
    guard let recordedChecksum else { return "no backrest-checksum (the content hashes to \(actualChecksum))" }
    return recordedChecksum == actualChecksum ? nil
      : "invalid checksum: the file records \(recordedChecksum), its content hashes to \(actualChecksum)"
  }

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

  /// Parses the INI text pgBackRest writes: `[db]` with `db-id` (and `db-system-id`,
  /// `db-version`, which pgBackRest does not read back), `[db:history]` lines
  /// `1={"db-id":<system id>,"db-version":"15"}`, and `[backrest] backrest-checksum`.
  init(bytes: [UInt8]) throws(ParseError) {
    if bytes.starts(with: Array("Salted__".utf8)) { throw .encrypted }
    var section = ""
    var values: [String: [String: String]] = [:]
    var rendering = ChecksumRendering()
    // Lines split as bytes: splitting the decoded text by Characters costs seconds on a large
    // hostile file.
    for rawBytes in bytes.split(whereSeparator: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
      let line = Self.trimmed(Substring(String(decoding: rawBytes, as: UTF8.self)))
      if line.hasPrefix("[") && line.hasSuffix("]") {
        section = String(line.dropFirst().dropLast())
      } else if let equals = line.firstIndex(of: "=") {
        let key = String(Self.trimmed(line[..<equals])), value = String(Self.trimmed(line[line.index(after: equals)...]))
        if section == "backrest" && key == "backrest-checksum" {
          recordedChecksum = Self.unquoted(value)
        } else {
          rendering.add(section: section, key: key, value: value)
          values[section, default: [:]][key] = value
        }
      }
    }
    actualChecksum = rendering.sha1()
    history = (values["db:history"] ?? [:]).compactMap { key, value in
      guard let id = Int(key), let system = Self.field("db-id", in: value).flatMap({ UInt64($0) }),
        let version = Self.field("db-version", in: value)
      else { return nil }
      return Cluster(id: id, systemIdentifier: system, majorVersion: version)
    }.sorted { $0.id < $1.id }
    // pgBackRest takes only `db-id` from [db]; the cluster it names is its history entry.
    guard let db = values["db"], let id = db["db-id"].flatMap({ Int($0) }) else { throw .missing("[db] db-id") }
    if let entry = history.first(where: { $0.id == id }) {
      current = entry
    } else if let system = db["db-system-id"].flatMap({ UInt64($0) }), let version = db["db-version"].map(Self.unquoted) {
      current = Cluster(id: id, systemIdentifier: system, majorVersion: version)
    } else {
      throw .missing("[db:history] entry \(id), the cluster [db] db-id names")
    }
  }

  /// The text pgBackRest hashes for `backrest-checksum`: every value but the checksum, in file
  /// order, as one JSON object of sections (`{"backrest":{"backrest-format":5,...},"db":{...}}`).
  private struct ChecksumRendering {
    private var text: [UInt8] = Array("{".utf8)
    private var lastSection: String?

    mutating func add(section: String, key: String, value: String) {
      if section != lastSection {
        if lastSection != nil { text += Array("},".utf8) }
        text += Array("\"\(section)\":{".utf8)
        lastSection = section
      } else {
        text.append(UInt8(ascii: ","))
      }
      text += Array("\(Self.jsonString(key)):\(value)".utf8)
    }

    func sha1() -> String? {
      let whole = text + Array("}}".utf8)
      return whole.withUnsafeBytes { CatalogEntry.sha1(of: $0) }
    }

    private static func jsonString(_ text: String) -> String {
      var escaped = "\""
      for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": escaped += "\\\""
        case "\\": escaped += "\\\\"
        case "\n": escaped += "\\n"
        case "\r": escaped += "\\r"
        case "\t": escaped += "\\t"
        default: escaped.unicodeScalars.append(scalar)
        }
      }
      return escaped + "\""
    }
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
