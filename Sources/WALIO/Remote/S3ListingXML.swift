/// The parts of S3's XML answers walkit reads: a ListObjectsV2 page, and an error's code and
/// message. A purpose-built scanner of the elements named, not a general XML parser.
package struct S3ListingXML {
  package struct Object: Sendable {
    package var key: String
    package var size: UInt64
    package var etag: String
  }

  var objects: [Object] = []
  var commonPrefixes: [String] = []
  var isTruncated = false
  var nextContinuationToken: String?

  /// Parses a `ListBucketResult` whose keys are URL-encoded (`encoding-type=url`).
  init(_ bytes: [UInt8]) throws(StorageFailure) {
    let text = String(decoding: bytes, as: UTF8.self)
    guard text.contains("<ListBucketResult") else {
      throw StorageFailure("the listing is not a ListBucketResult: \(String(text.prefix(200)))")
    }
    for block in Self.elements("Contents", in: text) {
      guard let key = Self.element("Key", in: block), let size = Self.element("Size", in: block).flatMap({ UInt64($0) }) else {
        throw StorageFailure("a listed object without a key or size: \(String(block.prefix(200)))")
      }
      objects.append(Object(key: Self.urlDecoded(key), size: size, etag: Self.element("ETag", in: block) ?? ""))
    }
    for block in Self.elements("CommonPrefixes", in: text) {
      if let prefix = Self.element("Prefix", in: block) { commonPrefixes.append(Self.urlDecoded(prefix)) }
    }
    isTruncated = Self.element("IsTruncated", in: text) == "true"
    nextContinuationToken = Self.element("NextContinuationToken", in: text)
  }

  /// The `Code` and `Message` of an S3 error document, when `bytes` is one.
  static func error(in bytes: [UInt8]) -> (code: String, message: String, region: String?)? {
    let text = String(decoding: bytes.prefix(64 << 10), as: UTF8.self)
    guard text.contains("<Error"), let code = element("Code", in: text) else { return nil }
    return (code, element("Message", in: text) ?? "", element("Region", in: text))
  }

  /// The text of each `<name>…</name>`, entities decoded for leaf values by ``element``.
  static func elements(_ name: String, in text: String) -> [Substring] {
    let open = "<\(name)>", close = "</\(name)>"
    var found: [Substring] = []
    var rest = text[...]
    while let start = rest.firstRange(of: open), let end = rest[start.upperBound...].firstRange(of: close) {
      found.append(rest[start.upperBound..<end.lowerBound])
      rest = rest[end.upperBound...]
    }
    return found
  }

  /// The decoded text of the first `<name>…</name>` in `text`.
  static func element(_ name: String, in text: some StringProtocol) -> String? {
    guard let start = text.firstRange(of: "<\(name)>"), let end = text[start.upperBound...].firstRange(of: "</\(name)>") else { return nil }
    return entitiesDecoded(text[start.upperBound..<end.lowerBound])
  }

  static func entitiesDecoded(_ text: some StringProtocol) -> String {
    guard text.contains("&") else { return String(text) }
    var result = ""
    var rest = Substring(text)
    while let amp = rest.firstIndex(of: "&") {
      result += rest[..<amp]
      guard let semicolon = rest[amp...].firstIndex(of: ";") else { break }
      let entity = rest[rest.index(after: amp)..<semicolon]
      switch entity {
      case "amp": result += "&"
      case "lt": result += "<"
      case "gt": result += ">"
      case "quot": result += "\""
      case "apos": result += "'"
      default:
        let number = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16)
          : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
        if let number, let scalar = Unicode.Scalar(number) { result.unicodeScalars.append(scalar) } else { result += "&\(entity);" }
      }
      rest = rest[rest.index(after: semicolon)...]
    }
    return result + rest
  }

  /// Undoes S3's `encoding-type=url` (percent-encoding, `+` for a space).
  static func urlDecoded(_ text: String) -> String {
    guard text.contains("%") || text.contains("+") else { return text }
    var bytes: [UInt8] = []
    var utf8 = text.utf8.makeIterator()
    while let byte = utf8.next() {
      if byte == UInt8(ascii: "+") { bytes.append(0x20); continue }
      guard byte == UInt8(ascii: "%"), let high = utf8.next(), let low = utf8.next(),
        let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
      else { bytes.append(byte); continue }
      bytes.append(value)
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
