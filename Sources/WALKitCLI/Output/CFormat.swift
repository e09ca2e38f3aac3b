#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// printf-style formatting through the C library, for output that must match pg_waldump's
/// printf to the digit (Foundation's String(format:) would pull in Foundation and ICU at start-up).
func cFormat(_ format: String, _ arguments: CVarArg...) -> String {
  var buffer = [CChar](repeating: 0, count: 128)
  let count = withVaList(arguments) { list in
    buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, list) }
  }
  return String(decoding: buffer.prefix(max(0, min(Int(count), buffer.count - 1))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// `1 record`, `2 records`.
func counted(_ count: some BinaryInteger, _ noun: String) -> String {
  "\(count) \(noun)\(count == 1 ? "" : "s")"
}
