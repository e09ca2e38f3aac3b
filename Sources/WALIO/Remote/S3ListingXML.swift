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
    let whole = 0..<bytes.count
    guard Self.find(Array("<ListBucketResult".utf8), in: bytes, within: whole) != nil else {
      throw StorageFailure("the listing is not a ListBucketResult: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
    }
    for block in Self.elements("Contents", in: bytes, within: whole) {
      guard let key = Self.element("Key", in: bytes, within: block),
        let size = Self.element("Size", in: bytes, within: block).flatMap({ UInt64($0) })
      else {
        throw StorageFailure("a listed object without a key or size: \(String(decoding: bytes[block].prefix(200), as: UTF8.self))")
      }
      objects.append(Object(key: Self.urlDecoded(key), size: size, etag: Self.element("ETag", in: bytes, within: block) ?? ""))
    }
    for block in Self.elements("CommonPrefixes", in: bytes, within: whole) {
      if let prefix = Self.element("Prefix", in: bytes, within: block) { commonPrefixes.append(Self.urlDecoded(prefix)) }
    }
    isTruncated = Self.element("IsTruncated", in: bytes, within: whole) == "true"
    nextContinuationToken = Self.element("NextContinuationToken", in: bytes, within: whole)
  }

  /// The `Code` and `Message` of an S3 error document, when `bytes` is one.
  static func error(in bytes: [UInt8]) -> (code: String, message: String, region: String?)? {
    let whole = 0..<min(bytes.count, 64 << 10)
    guard find(Array("<Error".utf8), in: bytes, within: whole) != nil, let code = element("Code", in: bytes, within: whole) else {
      return nil
    }
    return (code, element("Message", in: bytes, within: whole) ?? "", element("Region", in: bytes, within: whole))
  }

  /// The ranges of the content of each `<name>…</name>` within `range`.
  static func elements(_ name: String, in bytes: [UInt8], within range: Range<Int>) -> [Range<Int>] {
    let open = Array("<\(name)>".utf8), close = Array("</\(name)>".utf8)
    var found: [Range<Int>] = []
    var from = range.lowerBound
    while let start = find(open, in: bytes, within: from..<range.upperBound),
      let end = find(close, in: bytes, within: (start + open.count)..<range.upperBound)
    {
      found.append((start + open.count)..<end)
      from = end + close.count
    }
    return found
  }

  /// The decoded text of the first `<name>…</name>` within `range`.
  static func element(_ name: String, in bytes: [UInt8], within range: Range<Int>) -> String? {
    elements(name, in: bytes, within: range).first.map { entitiesDecoded(String(decoding: bytes[$0], as: UTF8.self)) }
  }

  /// Where `needle` first starts within `range` of `bytes`.
  static func find(_ needle: [UInt8], in bytes: [UInt8], within range: Range<Int>) -> Int? {
    guard let first = needle.first, range.count >= needle.count else { return nil }
    var index = range.lowerBound
    let last = range.upperBound - needle.count
    while index <= last {
      if bytes[index] == first {
        var matched = 1
        while matched < needle.count && bytes[index + matched] == needle[matched] { matched += 1 }
        if matched == needle.count { return index }
      }
      index += 1
    }
    return nil
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
