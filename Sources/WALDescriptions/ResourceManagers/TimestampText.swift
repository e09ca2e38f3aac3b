#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
    var time = time_t(seconds + 946_684_800)
    var parts = tm()
    guard localtime_r(&time, &parts) != nil else { return false }
    var text = [CChar](repeating: 0, count: 80)
    let dateLength = strftime(&text, 40, "%Y-%m-%d %H:%M:%S", &parts)
    guard dateLength > 0 else { return false }
    bytes.append(text.prefix(dateLength).withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
    bytes.append(UInt8(ascii: "."))
    LineFormatting.appendZeroPadded(UInt64(fraction), digits: 6, to: bytes)
    let zoneLength = strftime(&text, 40, "%Z", &parts)
    bytes.append(UInt8(ascii: " "))
    bytes.append(text.prefix(zoneLength).withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
    return true
  }

  /// ISO 8601 with its offset, in UTC: `2026-11-26T16:29:55.916235Z`; `nil` for values that are
  /// not a time.
  public static func iso8601(_ microseconds: Int64) -> String? {
    guard TransactionDetail.validTimestamps.contains(microseconds) else { return nil }
    let text = TransactionDetail.timestampInUTC(microseconds)
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
