#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import WALCore

/// Serialises the changes of the process's time zone that reading a zone name needs.
private let timeZoneChange = Mutex(())

extension RecoveryTarget {
  /// Parses `recovery_target_time` as PostgreSQL reads a `timestamptz`: `YYYY-MM-DD HH:MM[:SS[.ffffff]]`
  /// (or with `T`), then an optional zone — `Z`, `UTC`, `GMT`, an offset (`+01`, `-05:30`,
  /// `+0100`) or a zone name from the system's time-zone database (`Europe/Berlin`). Without one,
  /// the local time zone (`TZ`, else the system's), as PostgreSQL takes its `timezone` setting.
  /// Returns microseconds since 2000-01-01 UTC, or `nil` when the text is not such a time.
  public static func parseTime(_ text: String) -> Int64? {
    let trimmed = text.trimmingWhitespace()
    let bytes = Array(trimmed.utf8)
    func number(_ range: Range<Int>) -> Int? {
      guard range.upperBound <= bytes.count, bytes[range].allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
      return Int(String(decoding: bytes[range], as: UTF8.self))
    }
    guard bytes.count >= 16, let year = number(0..<4), bytes[4] == UInt8(ascii: "-"), let month = number(5..<7),
      bytes[7] == UInt8(ascii: "-"), let day = number(8..<10), bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "T"),
      let hour = number(11..<13), bytes[13] == UInt8(ascii: ":"), let minute = number(14..<16),
      (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60
    else { return nil }
    var position = 16
    var second = 0, micros = 0
    if position < bytes.count, bytes[position] == UInt8(ascii: ":") {
      guard let value = number((position + 1)..<(position + 3)), value < 61 else { return nil }
      second = value
      position += 3
      if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
        var digits = 0
        position += 1
        while position < bytes.count, (0x30...0x39).contains(bytes[position]) {
          if digits < 6 { micros = micros * 10 + Int(bytes[position] - 0x30); digits += 1 }
          position += 1
        }
        guard digits > 0 else { return nil }
        while digits < 6 { micros *= 10; digits += 1 }
      }
    }
    let zone = String(decoding: bytes[position...], as: UTF8.self).trimmingWhitespace()
    var fields = tm()
    fields.tm_year = Int32(year - 1900)
    fields.tm_mon = Int32(month - 1)
    fields.tm_mday = Int32(day)
    fields.tm_hour = Int32(hour)
    fields.tm_min = Int32(minute)
    fields.tm_sec = Int32(second)
    let unixSeconds: Int
    if zone.isEmpty {
      fields.tm_isdst = -1
      unixSeconds = mktime(&fields)
    } else if ["Z", "UTC", "GMT", "z", "utc", "gmt"].contains(zone) {
      unixSeconds = timegm(&fields)
    } else if let offset = Self.offsetSeconds(zone) {
      unixSeconds = timegm(&fields) - offset
    } else {
      guard zone.allSatisfy({ $0.isLetter || $0.isNumber || "/_+-".contains($0) }), !zone.contains(".."),
        Syscalls.isRegularFile("/usr/share/zoneinfo/" + zone)
      else { return nil }
      unixSeconds = Self.inZone(zone) { fields.tm_isdst = -1; return mktime(&fields) }
    }
    return (Int64(unixSeconds) - 946_684_800) * 1_000_000 + Int64(micros)
  }

  /// `+01`, `-05:30`, `+0100` as seconds east of UTC.
  static func offsetSeconds(_ zone: String) -> Int? {
    let bytes = Array(zone.utf8)
    guard let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
    let digits = bytes.dropFirst().filter { $0 != UInt8(ascii: ":") }
    guard digits.count == 2 || digits.count == 4, digits.allSatisfy({ (0x30...0x39).contains($0) }),
      bytes.dropFirst().count == digits.count || (bytes.count == 6 && bytes[3] == UInt8(ascii: ":"))
    else { return nil }
    let value = Int(String(decoding: digits, as: UTF8.self))!
    let seconds = digits.count == 2 ? value * 3600 : (value / 100) * 3600 + (value % 100) * 60
    return sign == UInt8(ascii: "-") ? -seconds : seconds
  }

  /// Runs `body` with the process's time zone set to `zone`, then restores it; one caller at
  /// a time. Other threads formatting local times meanwhile would see the zone change: the
  /// CLI parses its options before any work starts.
  static func inZone(_ zone: String, _ body: () -> Int) -> Int {
    timeZoneChange.withLock { _ in
      let saved = getenv("TZ").map { String(cString: $0) }
      setenv("TZ", zone, 1)
      tzset()
      defer {
        if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
        tzset()
      }
      return body()
    }
  }
}

private extension String {
  func trimmingWhitespace() -> String {
    var scalars = Substring(self)
    while scalars.first?.isWhitespace == true { scalars = scalars.dropFirst() }
    while scalars.last?.isWhitespace == true { scalars = scalars.dropLast() }
    return String(scalars)
  }
}
