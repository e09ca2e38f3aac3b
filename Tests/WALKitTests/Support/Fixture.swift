import Foundation
import Testing
@testable import WALKit
@testable import WALReader

/// The real-WAL sets under TestData/ and what that version's pg_waldump said about them.
enum Fixture {
  static let root: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  static let testData = root.appendingPathComponent("TestData")

  /// A directory of archived segments plus pg_waldump's listing of exactly those files.
  struct Set: CustomTestStringConvertible, Sendable {
    var name: String
    var archive: String
    var listing: String
    var timeline: TimelineID?
    var version: Int
    /// pg_waldump -b's listing of the same records, where the set has one.
    var blockListing: String?
    var testDescription: String { name }

    var archiveURL: URL { testData.appendingPathComponent(archive) }
    var segmentPaths: [String] {
      (try? FileManager.default.contentsOfDirectory(atPath: archiveURL.path))?
        .filter { WALFile.classify(fileName: $0) != .other && !$0.hasSuffix(".history") && !$0.hasSuffix(".backup") }
        .sorted().map { archiveURL.appendingPathComponent($0).path } ?? []
    }
  }

  static let sets: [Set] = [
    Set(name: "pg15", archive: "pg15/archive", listing: "pg15/waldump.txt.gz", version: 15),
    Set(name: "pg16", archive: "pg16/archive", listing: "pg16/waldump.txt.gz", version: 16),
    Set(name: "pg18", archive: "pg18/archive", listing: "pg18/waldump.txt.gz", version: 18),
    Set(name: "pg18 timeline 1", archive: "pg18-timeline/archive", listing: "pg18-timeline/waldump-tli1.txt",
        timeline: TimelineID(1), version: 18),
    Set(name: "pg18 timeline 2", archive: "pg18-timeline/archive", listing: "pg18-timeline/waldump-tli2.txt",
        timeline: TimelineID(2), version: 18),
    Set(name: "pg15 16 MB gzip", archive: "pg15-16mb/archive", listing: "pg15-16mb/waldump.txt", version: 15),
  ] + [13, 14, 17].flatMap { version in
    [1, 2].map { timeline in
      Set(name: "pg\(version) timeline \(timeline)", archive: "pg\(version)/archive",
          listing: "pg\(version)/waldump-tli\(timeline).txt.gz", timeline: TimelineID(UInt32(timeline)), version: version,
          blockListing: "pg\(version)/waldump-bkp-tli\(timeline).txt.gz")
    }
  }

  /// The sets made by make-version-fixtures.sh: every resource manager, on two timelines.
  static let versionSets = sets.filter { $0.blockListing != nil }

  /// The plain 1 MiB archive sets, one per version, for corruption tests.
  static let plainSets = Array(sets.prefix(3))

  static func path(_ relative: String) -> String { testData.appendingPathComponent(relative).path }

  static func text(_ relative: String) throws -> String {
    let url = testData.appendingPathComponent(relative)
    if relative.hasSuffix(".gz") {
      return String(decoding: try run("/bin/gzip", ["-dc", url.path]), as: UTF8.self)
    }
    return try String(contentsOf: url, encoding: .utf8)
  }

  static func run(_ executable: String, _ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return data
  }
}

/// One line of pg_waldump's record listing.
struct WaldumpRecord: Equatable, CustomStringConvertible {
  var rmgr: String
  /// The record type: the first word of pg_waldump's description.
  var type: String
  var recordLength: Int
  var totalLength: Int
  var xid: UInt32
  var lsn: LSN
  var previous: LSN

  /// Parses `rmgr: Heap  len (rec/tot):  54/  54, tx:  735, lsn: 0/01A5C2D8, prev 0/01A5C2A0, desc: …`.
  init?(line: Substring) {
    guard line.hasPrefix("rmgr: ") else { return nil }
    let fields = line.split(separator: ",", maxSplits: 4)
    guard fields.count >= 4 else { return nil }
    // "rmgr: NAME len (rec/tot): REC/ TOT" | " tx: XID" | " lsn: LSN" | " prev PREV" | " desc: …"
    // Wide lengths push into the padding: "len (rec/tot): 1500077/1500077".
    let head = fields[0].split(whereSeparator: { $0 == " " })
    let lengths = fields[0].split(separator: "(rec/tot):").last?.split(separator: "/")
      .map { $0.trimmingCharacters(in: .whitespaces) } ?? []
    guard head.count >= 5, lengths.count == 2, let rec = Int(lengths[0]), let tot = Int(lengths[1]),
      let xid = UInt32(fields[1].split(separator: ":")[1].trimmingCharacters(in: .whitespaces)),
      let lsn = LSN(String(fields[2].split(separator: ":")[1].trimmingCharacters(in: .whitespaces)))
    else { return nil }
    let prevText = fields[3].trimmingCharacters(in: .whitespaces)
    guard prevText.hasPrefix("prev "), let previous = LSN(String(prevText.dropFirst(5))) else { return nil }
    rmgr = String(head[1])
    let desc = fields.count > 4 ? fields[4].strippingWhitespace() : ""
    type = desc.hasPrefix("desc: ") ? String(desc.dropFirst(6).prefix { $0 != " " }) : ""
    recordLength = rec
    totalLength = tot
    self.xid = xid
    self.lsn = lsn
    self.previous = previous
  }

  init(_ record: WALRecord) {
    rmgr = record.resourceManager.name
    type = record.typeName
    totalLength = Int(record.header.totalLength)
    recordLength = totalLength - record.fullPageImageLength
    xid = record.header.xid
    lsn = record.lsn
    previous = record.header.previous
  }

  var description: String { "\(rmgr)/\(type) \(recordLength)/\(totalLength) tx \(xid) lsn \(lsn) prev \(previous)" }

  static func parse(_ listing: String) -> [WaldumpRecord] {
    listing.split(separator: "\n").compactMap(WaldumpRecord.init(line:))
  }
}
