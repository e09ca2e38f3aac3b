import FoundationEssentials

/// Encodes report documents: sorted keys, LSNs as strings, absent values as `null`.
enum JSONOutput {
  static func encode(_ value: some Encodable, pretty: Bool = true) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(value) else { return #"{"error":"could not encode the report"}"# }
    return String(decoding: data, as: UTF8.self)
  }
}

/// An optional that encodes `nil` as JSON `null` instead of leaving the key out, so every
/// document has the same keys.
@propertyWrapper
struct NullEncoded<Value: Encodable>: Encodable {
  var wrappedValue: Value?
  init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }
  func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
  }
}
