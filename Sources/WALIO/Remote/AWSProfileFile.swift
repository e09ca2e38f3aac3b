import WALCore

/// An AWS shared credentials or config file (`~/.aws/credentials`, `~/.aws/config`): sections
/// of `key = value` lines, with indented sub-keys under a key without a value (`s3 =` then
/// `  addressing_style = path`), read as `s3.addressing_style`.
struct AWSProfileFile {
  private(set) var sections: [String: [String: String]] = [:]

  init(text: String) {
    var section: String?
    var parent: String?
    for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
      let indented = rawLine.first == " " || rawLine.first == "\t"
      let line = rawLine.trimmingSpaces()
      if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
      if line.hasPrefix("["), line.hasSuffix("]") {
        section = String(line.dropFirst().dropLast()).trimmingSpaces()
        parent = nil
        continue
      }
      guard let section, let equals = line.firstIndex(of: "=") else { continue }
      let key = String(line[..<equals]).trimmingSpaces().lowercased()
      let value = String(line[line.index(after: equals)...]).trimmingSpaces()
      if indented, let parent {
        sections[section, default: [:]][parent + "." + key] = value
      } else {
        parent = value.isEmpty ? key : nil
        sections[section, default: [:]][key] = value
      }
    }
  }

  /// Reads `path`; `nil` when it does not exist or cannot be read.
  static func load(_ path: String) -> AWSProfileFile? {
    guard case .success(let bytes) = LocalFiles.contents(of: path, limit: 1 << 20) else { return nil }
    return AWSProfileFile(text: String(decoding: bytes, as: UTF8.self))
  }

  /// A profile's settings: `[name]` in a credentials file; `[profile name]` (or `[default]`)
  /// in a config file.
  func profile(_ name: String, isConfigFile: Bool) -> [String: String]? {
    if isConfigFile && name != "default" { return sections["profile " + name] ?? sections[name] }
    return sections[name]
  }
}

extension StringProtocol {
  func trimmingSpaces() -> String {
    String(drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
  }
}
