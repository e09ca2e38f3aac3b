import Foundation
import Testing
@testable import WALKit

/// Real `global/pg_control` files of 11, 13, 14, 15, 16, 17 and 18 in four states (TestData/control, made by
/// make-control-fixtures.sh) read field by field against that version's pg_controldata.
@Suite struct ControlFileTests {
  static let fixtures: [String] = ["11", "13", "14", "15", "16", "17", "18"].flatMap { version in
    ["primary-running", "primary-stopped", "standby-running", "standby-stopped"].map { "control/pg\(version)-\($0)" }
  }

  /// pg_controldata's lines as label → value.
  static func controldata(_ fixture: String) throws -> [String: String] {
    let text = try String(contentsOfFile: Fixture.path(fixture + "/pg_controldata.txt"), encoding: .utf8)
    var fields: [String: String] = [:]
    for line in text.split(separator: "\n") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return fields
  }

  @Test(arguments: fixtures)
  func everyFieldEqualsPgControldata(_ fixture: String) throws {
    let expected = try Self.controldata(fixture)
    let control = try ControlFile.read(dataDirectory: Fixture.path(fixture))
    func field(_ label: String) throws -> String { try #require(expected[label], "\(label)") }
    #expect(String(control.controlVersion) == (try field("pg_control version number")))
    #expect(String(control.catalogVersion) == (try field("Catalog version number")))
    #expect(String(control.systemIdentifier) == (try field("Database system identifier")))
    #expect(control.state.description == (try field("Database cluster state")))
    #expect(control.checkpoint.description == (try field("Latest checkpoint location")))
    #expect(control.redo.description == (try field("Latest checkpoint's REDO location")))
    #expect(String(control.checkpointTimeline.rawValue) == (try field("Latest checkpoint's TimeLineID")))
    #expect(String(control.previousTimeline.rawValue) == (try field("Latest checkpoint's PrevTimeLineID")))
    #expect((control.fullPageWrites ? "on" : "off") == (try field("Latest checkpoint's full_page_writes")))
    #expect("\(control.nextTransactionID >> 32):\(UInt32(truncatingIfNeeded: control.nextTransactionID))"
              == (try field("Latest checkpoint's NextXID")))
    #expect(control.minRecoveryPoint.description == (try field("Minimum recovery ending location")))
    #expect(String(control.minRecoveryPointTimeline.rawValue) == (try field("Min recovery ending loc's timeline")))
    #expect(control.backupStart.description == (try field("Backup start location")))
    #expect(control.backupEnd.description == (try field("Backup end location")))
    #expect((control.backupEndRequired ? "yes" : "no") == (try field("End-of-backup record required")))
    #expect(control.walLevelName == (try field("wal_level setting")))
    #expect(String(control.blockSize) == (try field("Database block size")))
    #expect(String(control.walBlockSize) == (try field("WAL block size")))
    #expect(String(control.walSegmentSize) == (try field("Bytes per WAL segment")))
    #expect(String(control.dataChecksumVersion) == (try field("Data page checksum version")))
  }

  @Test(arguments: fixtures)
  func theDataDirectoryStartsWherePostgreSQLWould(_ fixture: String) throws {
    let expected = try Self.controldata(fixture)
    let directory = try DataDirectory(path: Fixture.path(fixture))
    #expect(directory.start.description == expected["Latest checkpoint's REDO location"])
    #expect(String(directory.timeline.rawValue) == expected["Latest checkpoint's TimeLineID"])
    switch fixture.split(separator: "-").dropFirst().joined(separator: "-") {
    case "primary-running": #expect(directory.kind == .primary)
    case "primary-stopped": #expect(directory.kind == .stoppedPrimary)
    default:
      #expect(directory.kind == .standby)
      let minimum = try #require(LSN(expected["Minimum recovery ending location"] ?? ""))
      #expect(directory.consistentAt == (minimum > directory.start ? minimum : nil))
    }
  }

  static func controlBytes(_ fixture: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: Fixture.path(fixture + "/global/pg_control"))))
  }

  @Test func aDamagedControlFileIsRefusedWithItsChecksum() throws {
    var bytes = try Self.controlBytes("control/pg16-primary-stopped")
    bytes[40] ^= 0x01
    let error = try #require(throws: ControlFile.Failure.self) {
      try bytes.withUnsafeBytes { try ControlFile(decoding: $0, path: "pg_control") }
    }
    #expect(error.description.hasPrefix("pg_control: incorrect checksum in control file: stored 0x"))
    #expect(error.description.hasSuffix("over its first 288 bytes"))
  }

  @Test func anUnknownLayoutIsNamed() throws {
    var bytes = try Self.controlBytes("control/pg18-primary-stopped")
    bytes.replaceSubrange(8..<12, with: [0x0F, 0x27, 0x00, 0x00])
    let unknown = try #require(throws: ControlFile.Failure.self) {
      try bytes.withUnsafeBytes { try ControlFile(decoding: $0, path: "pg_control") }
    }
    #expect(unknown.description == "pg_control: pg_control_version 9999 is not one of PostgreSQL 10–18 (1002, 1100, 1201, 1300, 1700, 1800)")
  }

  @Test func aShortFileIsRefused() throws {
    let bytes = try Array(Self.controlBytes("control/pg15-primary-stopped").prefix(100))
    let error = try #require(throws: ControlFile.Failure.self) {
      try bytes.withUnsafeBytes { try ControlFile(decoding: $0, path: "pg_control") }
    }
    #expect(error.description == "pg_control: 100 bytes, too short for a version 1300 control file")
  }
}
