import Testing
@testable import WALKit

/// `--to-time` read as PostgreSQL reads a `timestamptz`: an offset, UTC, or a zone name.
@Suite(.serialized) struct TargetTimeTests {
  /// 2026-12-02 17:30:00 UTC in microseconds since 2000-01-01 UTC (`date -u -d … +%s` less 946684800).
  static let reference: Int64 = (1_796_232_600 - 946_684_800) * 1_000_000

  @Test(arguments: [
    "2026-12-02 17:30:00+00", "2026-12-02 17:30:00 UTC", "2026-12-02T17:30:00Z", "2026-12-02 18:30:00+01",
    "2026-12-02 18:30:00+01:00", "2026-12-02 12:30:00-0500", "2026-12-02 18:30:00 Europe/Berlin",
    "2026-12-02 12:30:00 America/New_York",
  ])
  func eachSpellingIsTheSameInstant(_ text: String) {
    #expect(RecoveryTarget.parseTime(text) == Self.reference)
  }

  @Test func fractionsAreMicroseconds() {
    #expect(RecoveryTarget.parseTime("2026-12-02 17:30:00.5+00") == Self.reference + 500_000)
    #expect(RecoveryTarget.parseTime("2026-12-02 17:30:00.123456789+00") == Self.reference + 123_456)
  }

  @Test(arguments: ["", "yesterday", "2026-13-02 17:30:00+00", "2026-12-02 25:00:00+00", "2026-12-02 17:30:00 Nowhere/City",
                    "2026-12-02 17:30:00 ../../etc/passwd", "2026-12-02 17:30:00 Europe", "2026-12-02 17:30:00+1", "2026-12-02 17:30:00."])
  func otherTextIsNotATime(_ text: String) {
    #expect(RecoveryTarget.parseTime(text) == nil)
  }

  @Test func theServerWritesTimesWithoutTrailingZeros() {
    #expect(RecoveryTarget.serverTime(Self.reference + 966_130) == "2026-12-02 17:30:00.96613+00")
    #expect(RecoveryTarget.serverTime(Self.reference) == "2026-12-02 17:30:00+00")
  }
}
