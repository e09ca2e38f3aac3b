#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CWALSupport
import Synchronization
import WALCore

/// How record descriptions write times (`TimestampTz`): in UTC (the default), or in the local
/// time zone, chosen as pg_waldump's is, by `TZ` and the system's zone, in its format
/// (`2026-11-26 17:29:55.916235 CET`).
public enum TimestampText {
  private static let local = Atomic<Bool>(false)

  /// Write times in the local time zone, as pg_waldump does (default false: UTC).
  public static var usesLocalTime: Bool {
    get { local.load(ordering: .relaxed) }
    set {
      if newValue { tzset() }
      local.store(newValue, ordering: .relaxed)
    }
  }

  /// `%Y-%m-%d %H:%M:%S.ffffff %Z` of `localtime`; false when the C library cannot convert it.
  static func appendLocal(_ microseconds: Int64, to bytes: TextBuffer) -> Bool {
    var seconds = microseconds / 1_000_000
    var fraction = microseconds % 1_000_000
    if fraction < 0 { fraction += 1_000_000; seconds -= 1 }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 48) { text in
      let (date, zone) = (text.baseAddress!, text.baseAddress! + 32)
      guard walkit_local_time(seconds + 946_684_800, date, 32, zone, 16) != 0 else { return false }
      bytes.append(UnsafeRawBufferPointer(start: date, count: strlen(date)))
      bytes.append(UInt8(ascii: "."))
      LineFormatting.appendZeroPadded(UInt64(fraction), digits: 6, to: bytes)
      bytes.append(UInt8(ascii: " "))
      bytes.append(UnsafeRawBufferPointer(start: zone, count: strlen(zone)))
      return true
    }
  }

  /// ISO 8601 with its offset, in UTC: `2026-11-26T16:29:55.916235Z`; `nil` for values that are
  /// not a time.
  public static func iso8601(_ microseconds: Int64) -> String? {
    guard TimestampText.validTimestamps.contains(microseconds) else { return nil }
    let text = TimestampText.timestampInUTC(microseconds)
    // `2026-11-26 16:29:55.916235 UTC` → `2026-11-26T16:29:55.916235Z`
    return String(text.dropLast(4)).replacingFirstSpace(with: "T") + "Z"
  }
}

extension WALRecord {
  /// The time the record carries, in microseconds since 2000-01-01 UTC (PostgreSQL's
  /// `TimestampTz`): a commit's or abort's (also prepared), a PREPARE's, an END_OF_RECOVERY's;
  /// `nil` for other records.
  public var time: Int64? {
    let info = header.info
    switch header.resourceManagerID {
    case 1 where TransactionDetail.isCompletion(self): return mainBytes.i64(0)
    case 1 where info & 0x70 == 0x10: return mainBytes.i64(16)
    case 0 where info & 0xF0 == 0x90: return mainBytes.i64(0)
    default: return nil
    }
  }
}

extension String {
  fileprivate func replacingFirstSpace(with replacement: String) -> String {
    guard let space = firstIndex(of: " ") else { return self }
    return String(self[..<space]) + replacement + String(self[index(after: space)...])
  }
}

extension TimestampText {
  /// `timestamptz_to_str` as pg_waldump prints it: `2026-11-26 16:29:55.916235 UTC`, in UTC
  /// or in the local time zone (``TimestampText/usesLocalTime``).
  static func timestamp(_ microseconds: Int64) -> String {
    let bytes = TextBuffer(capacity: 64)
    appendTimestamp(microseconds, to: bytes)
    return bytes.text
  }

  /// The time in UTC whatever ``TimestampText/usesLocalTime`` says.
  package static func timestampInUTC(_ microseconds: Int64) -> String {
    let bytes = TextBuffer(capacity: 64)
    appendTimestamp(microseconds, to: bytes, inUTC: true)
    return bytes.text
  }

  /// `TimestampTz` values PostgreSQL takes as timestamps: `[MIN_TIMESTAMP, END_TIMESTAMP)`,
  /// 4714-11-24 BC up to the year 294277. `Int64.min` and `Int64.max` are -infinity and infinity.
  static let validTimestamps: Range<Int64> = -211_813_488_000_000_000..<9_223_371_331_200_000_000

  /// `timestamptz_to_str`: `2026-11-26 16:50:01.921501 UTC`, in UTC or, with
  /// ``TimestampText/usesLocalTime``, in the local time zone as pg_waldump prints it;
  /// `infinity`, `-infinity`, or `(timestamp out of range)` as PostgreSQL writes values that
  /// are not a time.
  static func appendTimestamp(_ microseconds: Int64, to bytes: TextBuffer, inUTC: Bool = false) {
    guard validTimestamps.contains(microseconds) else {
      bytes.append(microseconds == .max ? "infinity" : microseconds == .min ? "-infinity" : "(timestamp out of range)")
      return
    }
    if !inUTC, TimestampText.usesLocalTime, TimestampText.appendLocal(microseconds, to: bytes) { return }
    // Microseconds since 2000-01-01, PostgreSQL's epoch: in the range above, nothing overflows.
    var seconds = microseconds / 1_000_000
    var fraction = microseconds % 1_000_000
    if fraction < 0 { fraction += 1_000_000; seconds -= 1 }
    let daysSince2000 = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let secondOfDay = seconds - daysSince2000 * 86_400
    let days = daysSince2000 + 10_957
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    typealias F = LineFormatting
    if year < 0 { bytes.append(UInt8(ascii: "-")) }
    F.appendDecimal(year.magnitude, to: bytes)
    func field(_ separator: Unicode.Scalar, _ value: Int64, digits: Int = 2) {
      bytes.append(UInt8(ascii: separator))
      F.appendZeroPadded(UInt64(value), digits: digits, to: bytes)
    }
    field("-", month)
    field("-", day)
    field(" ", secondOfDay / 3600)
    field(":", secondOfDay % 3600 / 60)
    field(":", secondOfDay % 60)
    field(".", fraction, digits: 6)
    F.append(" UTC", to: bytes)
  }
}
