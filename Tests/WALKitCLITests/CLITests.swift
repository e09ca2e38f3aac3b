import Foundation
import Testing
import WALKit

#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `walkit` binary: exit codes, output shapes, help and man pages.
@Suite(.timeLimit(.minutes(10))) struct CLITests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static var binary: URL {
    // The test bundle runs from the build products directory, next to `walkit`.
    let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidates = [products.appendingPathComponent("walkit"),
                      URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "")
                        .deletingLastPathComponent().appendingPathComponent("walkit")]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
  }

  struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// Runs walkit from the repository root; `environment` replaces the inherited one when given,
  /// but for AddressSanitizer's settings (`scripts/test-asan`), which a child built with it needs.
  static func walkit(_ arguments: [String], environment: [String: String]? = nil) throws -> Run {
    try run(binary, arguments, environment: environment)
  }

  /// Runs `executable` (walkit, or PostgreSQL's pg_waldump) from the repository root.
  static func run(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) throws -> Run {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = root
    if var environment {
      for key in ["ASAN_OPTIONS", "LSAN_OPTIONS"] { environment[key] = ProcessInfo.processInfo.environment[key] }
      process.environment = environment
    }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
               stderr: String(decoding: stderr, as: UTF8.self))
  }

  static func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  /// A copy of the pg16 archive with one record's bytes damaged.
  static func damagedArchive() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("walkit-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let source = root.appendingPathComponent("TestData/pg16/archive")
    for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
      try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: directory.appendingPathComponent(name))
    }
    let victim = directory.appendingPathComponent("000000010000000000000007")
    var bytes = try Data(contentsOf: victim)
    bytes[300_000] ^= 0x10
    try bytes.write(to: victim)
    return directory
  }

  @Test func cleanArchiveExitsZero() throws {
    let run = try Self.walkit(["verify", "TestData/pg16/archive"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("000000010000000000000006  PG 16    complete"))
    #expect(run.stdout.hasSuffix("4 segments (3 complete, 1 switched), 15092 records, timeline 1: no problems.\n"))
  }

  @Test func damagedArchiveExitsOneAndSaysWhere() throws {
    let directory = try Self.damagedArchive()
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try Self.walkit(["verify", "--quiet", directory.path])
    #expect(run.status == 1)
    #expect(!run.stdout.contains("SEGMENT"))
    #expect(run.stdout.contains(" in 000000010000000000000007 (offset "))
    #expect(run.stdout.contains("1 problem ("))
  }

  @Test func jsonDocumentHasTheDocumentedShape() throws {
    let directory = try Self.damagedArchive()
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try Self.walkit(["verify", "--json", directory.path])
    #expect(run.status == 1)
    let document = try Self.json(run.stdout)
    #expect(document["schema"] as? String == "walkit.verify/1")
    let segments = try #require(document["segments"] as? [[String: Any]])
    #expect(segments.count == 4)
    #expect(Set(segments[0].keys) == ["name", "file", "timeline", "pgVersion", "status", "records", "firstLSN",
                                      "validThroughLSN", "segmentSize", "compressed", "compression", "problems"])
    #expect(segments[0]["compression"] as? String == "plain")
    #expect(document["repositories"] as? [[String: String]] == [["path": directory.path, "layout": "flat", "summary": "directory of 4 WAL files"]])
    #expect(segments[0]["firstLSN"] as? String == "0/600028")
    #expect(segments[1]["status"] as? String == "damaged")
    let problems = try #require(document["problems"] as? [[String: Any]])
    #expect(problems.count == 1)
    #expect(Set(problems[0].keys) == ["kind", "severity", "file", "segment", "lsn", "offset", "message"])
    #expect(problems[0]["severity"] as? String == "problem")
    #expect(problems[0]["segment"] as? String == "000000010000000000000007")
    let summary = try #require(document["summary"] as? [String: Any])
    #expect(summary["clean"] as? Bool == false)
    #expect(summary["problems"] as? Int == 1)
  }

  @Test func missingInputExitsTwoAndStillWritesJSON() throws {
    let text = try Self.walkit(["verify", "/nonexistent/walkit-input"])
    #expect(text.status == 2)
    #expect(text.stderr.contains("/nonexistent/walkit-input"))
    let json = try Self.walkit(["verify", "--json", "/nonexistent/walkit-input"])
    #expect(json.status == 2)
    let document = try Self.json(json.stdout)
    #expect(document["schema"] as? String == "walkit.verify/1")
    #expect((document["error"] as? String)?.contains("No such file") == true)
  }

  @Test(arguments: [["verify"], ["verify", "--jobs", "0", "TestData"], ["verify", "--no-such-option", "x"], ["no-such-command"],
                    ["gaps"], ["gaps", "--to", "nonsense", "TestData"], ["gaps", "--timeline", "0", "TestData"],
                    ["diff", "TestData"], ["diff", "--range", "x..y", "TestData", "TestData"]])
  func usageErrorsExitSixtyFour(_ arguments: [String]) throws {
    #expect(try Self.walkit(arguments).status == 64)
  }

  @Test func helpShowsExitCodes() throws {
    for arguments in [["--help"], ["verify", "--help"], ["gaps", "--help"], ["diff", "--help"], ["inspect", "--help"]] {
      let run = try Self.walkit(arguments)
      #expect(run.status == 0)
      for line in ["0   nothing wrong", "1   ran to the end and found problems", "2   could not finish", "64  usage error"] {
        #expect(run.stdout.contains(line), "\(arguments) help lacks \(line)")
      }
    }
  }

  @Test(arguments: [("verify", "man/walkit-verify.1"), ("gaps", "man/walkit-gaps.1"), ("diff", "man/walkit-diff.1"), ("inspect", "man/walkit-inspect.1")])
  func everyHelpOptionIsInTheManPage(_ command: String, _ page: String) throws {
    let help = try Self.walkit([command, "--help"]).stdout
    let manual = try String(contentsOf: Self.root.appendingPathComponent(page), encoding: .utf8)
      .replacingOccurrences(of: "\\-", with: "-")
    let options = Set(help.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," || $0 == "[" || $0 == "]" || $0 == "<" })
      .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ").,:;")) }
      .filter { $0.hasPrefix("--") || ($0.hasPrefix("-") && $0.count == 2) })
    #expect(options.count >= 5)
    for option in options { #expect(manual.contains(option), "\(page) does not mention \(option)") }
  }

  @Test func overviewManPageListsExitCodesAndEveryProblemKind() throws {
    let manual = try String(contentsOf: Self.root.appendingPathComponent("man/walkit.1"), encoding: .utf8)
      .replacingOccurrences(of: "\\-", with: "-")
    for code in ["0", "1", "2", "64"] { #expect(manual.contains(".TP\n.B \(code)\n"), "walkit.1 lacks exit code \(code)") }
    for kind in WALProblem.Kind.allCases {
      #expect(manual.contains(".B \(kind.rawValue)"), "walkit.1 lacks \(kind.rawValue)")
    }
  }

  @Test func gapsOnARealTimelineSwitchIsContinuous() throws {
    let run = try Self.walkit(["gaps", "--from", "TestData/pg18-timeline/backup_label", "TestData/pg18-timeline/archive"])
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    #expect(run.stdout.hasPrefix("CONTINUOUS: a standby starting at 0/C00028 on timeline 1 can replay to 0/1000000 on timeline 2"))
    #expect(run.stdout.contains("backup ends at 0/C00120: reached"))
  }

  @Test func diffOfAnOldPrimaryAndItsPromotedStandbyNamesTheSwitchPoint() throws {
    let run = try Self.walkit(["diff", "TestData/pg15-failover/a", "TestData/pg15-failover/b"])
    #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
    let rewind = try String(contentsOf: Self.root.appendingPathComponent("TestData/pg15-failover/pg_rewind.txt"), encoding: .utf8)
    let diverged = try #require(rewind.split(separator: " ").dropFirst(6).first)
    #expect(run.stdout.hasPrefix("DIFFERENT: the WAL histories part at \(diverged), the recorded switch point (timeline 1 in A, timeline 2 in B): a promotion; neither side holds the WAL before 0/1100000, and they already differ at 0/1100028, the first WAL both hold; A kept writing on its old timeline (what pg_rewind would undo): from 0/1100028 on, "))
    #expect(run.stdout.contains("  B  (inside the record continued from the previous segment)\n"))
    let json = try Self.walkit(["diff", "--json", "TestData/pg15-failover/a", "TestData/pg15-failover/b"])
    let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let divergence = try #require(document["divergence"] as? [String: Any])
    #expect(divergence["switchPoint"] as? String == String(diverged))
    #expect(divergence["isSwitchPoint"] as? Bool == true)
    #expect(divergence["beforeSharedWAL"] as? String == "0/1100000")
  }

  @Test func gapsJSONNamesTheMissingSegmentAndExitsOne() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("walkit-cli-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let source = Self.root.appendingPathComponent("TestData/pg18-timeline/archive")
    for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where name != "00000001000000000000000D" {
      try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: directory.appendingPathComponent(name))
    }
    let run = try Self.walkit(["gaps", "--json", "--from", "TestData/pg18-timeline/backup_label", directory.path])
    #expect(run.status == 1)
    let document = try Self.json(run.stdout)
    #expect(document["schema"] as? String == "walkit.gaps/2")
    #expect(document["continuous"] as? Bool == false)
    let ranges = try #require(document["missingRanges"] as? [[String: Any]])
    #expect(ranges.map { $0["first"] as? String } == ["00000001000000000000000D"])
    #expect(ranges.map { $0["last"] as? String } == ["00000001000000000000000D"])
    #expect((document["firstProblem"] as? [String: Any])?["kind"] as? String == "missing-segment")
    let start = try #require(document["start"] as? [String: Any])
    #expect(start["lsn"] as? String == "0/C00028")
    #expect(document["reachableLSN"] as? String == "0/D00000")
    let path = try #require(document["path"] as? [[String: Any]])
    #expect(path.map { $0["status"] as? String } == ["ok", "missing", "ok", "ok"])
    for key in ["target", "newestTimeline", "endOfWALLSN", "missingRanges", "problems", "sources", "checkedContent", "error"] {
      #expect(document.keys.contains(key), "missing key \(key)")
    }
  }

  /// PostgreSQL refuses a recovery target before the start or before the backup's end.
  @Test(arguments: ["0/B00000", "0/C00100"])
  func gapsToBeforeTheStartOrTheBackupEndIsAUsageError(_ target: String) throws {
    let run = try Self.walkit(["gaps", "--from", "TestData/pg18-timeline/backup_label", "--to", target, "TestData/pg18-timeline/archive"])
    #expect(run.status == 64)
    #expect(run.stdout.isEmpty)
    #expect(run.stderr.hasPrefix("walkit gaps: requested recovery stop point \(target) is before "))
  }

  @Test func gapsWithAnUnreadableStartExitsTwo() throws {
    let run = try Self.walkit(["gaps", "--json", "--from", "/nonexistent/backup_label", "TestData/pg16/archive"])
    #expect(run.status == 2)
    #expect((try Self.json(run.stdout)["error"] as? String)?.contains("/nonexistent/backup_label") == true)
  }

  @Test func diffOfASplitBrainExitsOneAndNamesTheSwitchPoint() throws {
    let run = try Self.walkit(["diff", "--json", "TestData/pg15-split/A", "TestData/pg15-split/B"])
    #expect(run.status == 1)
    let document = try Self.json(run.stdout)
    #expect(document["schema"] as? String == "walkit.diff/1")
    #expect(document["identical"] as? Bool == false)
    let divergence = try #require(document["divergence"] as? [String: Any])
    #expect(divergence["lsn"] as? String == "0/E4C548")
    #expect(divergence["isSwitchPoint"] as? Bool == true)
    #expect((divergence["recordB"] as? [String: Any])?["type"] as? String == "END_OF_RECOVERY")
    #expect((divergence["beyondA"] as? [String: Any])?["records"] as? Int == 501)
    for key in ["onlyInA", "onlyInB", "same", "differing", "segments", "error"] {
      #expect(document.keys.contains(key), "missing key \(key)")
    }
    let text = try Self.walkit(["diff", "--quiet", "TestData/pg15-split/A", "TestData/pg15-split/B"])
    #expect(text.stdout.hasPrefix("DIFFERENT: the WAL histories diverge at 0/E4C548 (timeline 1 in A, timeline 2 in B), the recorded switch point: a promotion"))
  }

  @Test func diffOfTheSameWALExitsZero() throws {
    let run = try Self.walkit(["diff", "TestData/pg16/archive", "TestData/pg16/archive"])
    #expect(run.status == 0)
    #expect(run.stdout.hasPrefix("SAME WAL: 4 segments, all byte for byte identical."))
    #expect(try Self.walkit(["diff", "/nonexistent/a", "TestData/pg16/archive"]).status == 2)
  }

  /// Every file's name, size, modification time and bytes under `root`.
  static func snapshot(_ root: URL) throws -> [String: String] {
    var result: [String: String] = [:]
    let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
    for case let url as URL in enumerator {
      let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
      var entry = "\(attributes[.size] ?? 0) \((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0) \(attributes[.posixPermissions] ?? 0)"
      if (attributes[.type] as? FileAttributeType) == .typeRegular {
        let data = try Data(contentsOf: url)
        entry += " \(data.count) \(data.reduce(into: UInt64(14_695_981_039_346_656_037)) { $0 = ($0 ^ UInt64($1)) &* 1_099_511_628_211 })"
      }
      result[url.path] = entry
    }
    return result
  }

  /// walkit only reads: after every command, the input tree is exactly as it was.
  @Test func commandsChangeNothingTheyRead() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("walkit-readonly-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    for set in ["pg18-timeline", "pg16"] {
      try FileManager.default.copyItem(at: Self.root.appendingPathComponent("TestData/\(set)"), to: directory.appendingPathComponent(set))
    }
    try FileManager.default.createDirectory(at: directory.appendingPathComponent("pg16/archive/archive_status"), withIntermediateDirectories: true)
    let before = try Self.snapshot(directory)
    let runs: [[String]] = [
      ["verify", directory.path + "/pg16/archive", directory.path + "/pg16/gz", directory.path + "/pg16/partial"],
      ["verify", "--json", directory.path + "/pg18-timeline/archive"],
      ["gaps", "--from", directory.path + "/pg18-timeline/backup_label", directory.path + "/pg18-timeline/archive"],
      ["gaps", "--names-only", directory.path + "/pg16/archive"],
      ["diff", directory.path + "/pg18-timeline/archive", directory.path + "/pg16/archive"],
    ]
    for arguments in runs {
      let run = try Self.walkit(arguments)
      #expect(run.status == 0 || run.status == 1, "\(arguments): \(run.stderr)")
      #expect(try Self.snapshot(directory) == before, "\(arguments.first!) changed its input")
    }
  }

  /// As a user who may not read one segment: reported, the rest verified, exit 1.
  @Test(.enabled(if: getuid() == 0, "needs root to run walkit as another user"))
  func unreadableSegmentIsReportedToAnUnprivilegedUser() throws {
    let directory = URL(fileURLWithPath: "/tmp/walkit-perm-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let source = Self.root.appendingPathComponent("TestData/pg16/archive")
    for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
      let target = directory.appendingPathComponent(name)
      try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: target)
      try FileManager.default.setAttributes([.posixPermissions: name.hasSuffix("7") ? 0o000 : 0o644], ofItemAtPath: target.path)
    }
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
    process.arguments = ["-u", "nobody", "--", Self.binary.path, "verify", "--json", directory.path]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 1)
    let problems = try #require(try Self.json(String(decoding: data, as: UTF8.self))["problems"] as? [[String: Any]])
    #expect(problems.map { $0["kind"] as? String } == ["unreadable-file"])
    #expect((problems.first?["message"] as? String)?.contains("Permission denied") == true)

    // Named on the command line, the same file cannot be read at all: the run cannot finish.
    for command in [["verify"], ["inspect"], ["diff", directory.appendingPathComponent("000000010000000000000006").path]] {
      let named = Process()
      named.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
      named.arguments = ["-u", "nobody", "--", Self.binary.path] + command + [directory.appendingPathComponent("000000010000000000000007").path]
      named.standardOutput = FileHandle.nullDevice
      let errors = Pipe()
      named.standardError = errors
      try named.run()
      let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      named.waitUntilExit()
      #expect(named.terminationStatus == 2, "\(command): \(stderr)")
      #expect(stderr.contains("000000010000000000000007: cannot read: Permission denied"), "\(command): \(stderr)")
    }
  }

  /// `--stats=record` is byte for byte pg_waldump's of the same version, for every fixture.
  @Test(arguments: [("pg15", "pg15/stats-record.txt"), ("pg16", "pg16/stats-record.txt"), ("pg18", "pg18/stats-record.txt"),
                    ("pg15-16mb", "pg15-16mb/stats-record.txt"), ("pg15-long/1mb", "pg15-long/1mb/stats-record.txt"),
                    ("pg15-long/16mb", "pg15-long/16mb/stats-record.txt"), ("pg15", "pg15/stats-rmgr.txt"), ("pg16", "pg16/stats-rmgr.txt"),
                    ("pg18", "pg18/stats-rmgr.txt")])
  func statisticsEqualPgWaldumps(_ set: String, _ expected: String) throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("TestData/\(set)/archive").path).sorted()
    let mode = expected.hasSuffix("rmgr.txt") ? "--stats" : "--stats=record"
    let run = try Self.walkit(["inspect", mode, "-p", "TestData/\(set)/archive", files.first!, files.last!])
    #expect(run.status == 0, "\(run.stderr)")
    let truth = try String(contentsOf: Self.root.appendingPathComponent("TestData/\(expected)"), encoding: .utf8)
    #expect(run.stdout == truth)
    #expect(run.stderr.contains("the end of the requested range"))
  }

  /// `--stats=record` of each timeline of the 13, 14 and 17 sets is that pg_waldump's; timeline
  /// 1 ends in the promoted standby's `.partial`, which walkit reads by its segment's name.
  @Test(arguments: [(13, 1), (13, 2), (14, 1), (14, 2), (17, 1), (17, 2)])
  func statisticsOfEachVersionAndTimelineEqualPgWaldumps(_ version: Int, _ timeline: Int) throws {
    let archive = "TestData/pg\(version)/archive"
    let segments = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent(archive).path)
      .filter { $0.hasPrefix(String(format: "%08X", timeline)) && $0.count >= 24 }.map { String($0.prefix(24)) }.sorted()
    let run = try Self.walkit(["inspect", "--stats=record", "-t", "\(timeline)", "-p", archive, segments.first!, segments.last!])
    #expect(run.status == 0, "\(run.stderr)")
    let truth = try String(contentsOf: Self.root.appendingPathComponent("TestData/pg\(version)/stats-record-tli\(timeline).txt"),
                           encoding: .utf8)
    #expect(run.stdout == truth)
    // Timeline 1's WAL ends inside the range, where pg_waldump's reading failed (zeros).
    if timeline == 1 {
      let failure = try String(contentsOf: Self.root.appendingPathComponent("TestData/pg\(version)/stats-record-tli1.stderr"),
                               encoding: .utf8)
      let end = try #require(failure.split(separator: " ").drop { $0 != "length" }.dropFirst(2).first.map { $0.dropLast() })
      #expect(run.stderr.hasPrefix("walkit inspect: end of WAL at \(end), before the end of the requested range at "), "\(run.stderr)")
    }
  }

  /// PostgreSQL 16 writes isCatalogRel into Btree/DELETE records, but its pg_waldump shows it
  /// only from 17: a segment of them made by 16.15 (TestData/pg16-btree-delete) lists as that
  /// pg_waldump listed it, line for line.
  @Test func aPostgreSQL16BtreeDeleteListsAsPgWaldump16Does() throws {
    let archive = "TestData/pg16-btree-delete/archive"
    let stored = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent(archive).path)
    let segment = String(try #require(stored.first).prefix(24))
    let expected = String(decoding: try Fixture.gunzip("pg16-btree-delete/waldump.txt.gz"), as: UTF8.self)
    #expect(expected.split(separator: "\n").count { $0.contains("rmgr: Btree") && $0.contains("desc: DELETE ") } > 0)
    let run = try Self.walkit(["inspect", "-p", archive, segment])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout == expected)
  }

  /// A start in the middle of a record: pg_waldump's `first record is after` line, on standard
  /// output before 17 and on standard error from 17, then the same five records.
  @Test(arguments: [13, 14, 17])
  func aStartInsideARecordIsAnnouncedAsPgWaldumpDoes(_ version: Int) throws {
    let expected = String(decoding: try Fixture.gunzip("pg\(version)/waldump-from-mid-record.txt.gz"), as: UTF8.self)
    let stderrURL = Self.root.appendingPathComponent("TestData/pg\(version)/waldump-from-mid-record.stderr")
    let announcement = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? expected
    let start = try #require(announcement.split(separator: " ").drop { $0 != "after" }.dropFirst().first)
    let run = try Self.walkit(["inspect", "-t", "1", "-n", "5", "-s", String(start.dropLast()), "-p", "TestData/pg\(version)/archive"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout == expected)
    if version >= 17 {
      #expect(run.stderr.hasPrefix("walkit inspect: " + announcement.replacingOccurrences(of: "pg_waldump: ", with: "")))
    }
  }

  /// Records longer than a segment: the listing is pg_waldump's (its lines cut to 200
  /// characters there, the message's payload being printed whole) and no segment is damaged.
  @Test(arguments: ["pg15-long/1mb", "pg15-long/16mb"])
  func recordsLongerThanASegmentAreListedAndVerified(_ set: String) throws {
    let listing = try Self.walkit(["inspect", "-p", "TestData/\(set)/archive"])
    #expect(listing.status == 0, "\(listing.stderr)")
    let truth = try String(contentsOf: Self.root.appendingPathComponent("TestData/\(set)/waldump.txt"), encoding: .utf8)
    #expect(listing.stdout.split(separator: "\n").map { String($0.prefix(200)) } == truth.split(separator: "\n").map(String.init))
    for command in [["verify"], ["gaps"]] {
      let run = try Self.walkit(command + ["TestData/\(set)/archive"])
      #expect(run.status == 0, "\(command): \(run.stdout)")
    }
  }

  /// Without -t, one history as recovery follows it: timeline 1 up to the switch segment, then
  /// timeline 2 (pg_waldump -t 1 and -t 2 of the same files, joined there), each record once.
  @Test(arguments: [("pg18-timeline/archive", "pg18-timeline/waldump-tli1.txt", "pg18-timeline/waldump-tli2.txt", "0/00E00000"),
                    ("pg15-split/B", "pg15-split/B-tli1-pg_waldump.txt", "pg15-split/B-tli2-pg_waldump.txt", "0/00E00000")])
  func inspectWithoutATimelineFollowsOneHistory(_ archive: String, _ old: String, _ new: String, _ switchSegment: String) throws {
    let run = try Self.walkit(["inspect", "-p", "TestData/\(archive)"])
    #expect(run.status == 0, "\(run.stderr)")
    func lines(_ file: String) throws -> [Substring] {
      try String(contentsOf: Self.root.appendingPathComponent("TestData/\(file)"), encoding: .utf8).split(separator: "\n")
    }
    let before = try lines(old).filter { line in
      line.split(separator: "lsn: ").last.map { String($0.prefix(10)) < switchSegment } ?? false
    }
    #expect(run.stdout.split(separator: "\n") == before + (try lines(new)))
    let json = try Self.walkit(["inspect", "--json", "-p", "TestData/\(archive)"])
    let timelines = try json.stdout.split(separator: "\n").map { try Self.json(String($0))["timeline"] as? Int }
    #expect(Set(timelines) == [1, 2])
  }

  @Test func inspectFiltersAndJSONLines() throws {
    let heap = try Self.walkit(["inspect", "--json", "-r", "Heap", "-n", "5", "-p", "TestData/pg16/archive"])
    #expect(heap.status == 0)
    let lines = heap.stdout.split(separator: "\n")
    #expect(lines.count == 5)
    for line in lines {
      let object = try Self.json(String(line))
      #expect(object["rmgr"] as? String == "Heap")
      #expect(object["schema"] as? String == "walkit.inspect.record/2")
    }
    // The description is pg_waldump's desc after the type, without block references.
    let listed = try Self.walkit(["inspect", "-r", "Heap", "-n", "5", "-p", "TestData/pg16/archive"]).stdout.split(separator: "\n")
    for (line, json) in zip(listed, lines) {
      let object = try Self.json(String(json))
      let type = try #require(object["type"] as? String), description = try #require(object["description"] as? String)
      let desc = try #require(line.split(separator: "desc: ", maxSplits: 1).last)
      #expect(desc.hasPrefix(type + " " + description), "\(line) / \(description)")
      #expect(!description.contains("blkref"))
    }
    let relation = try Self.walkit(["inspect", "-R", "1663/5/16384", "-B", "0", "-p", "TestData/pg16/archive"])
    #expect(relation.status == 0)
    #expect(!relation.stdout.isEmpty)
    // Any fork matches when -F is not given, as in pg_waldump.
    for line in relation.stdout.split(separator: "\n") {
      #expect(line.range(of: "rel 1663/5/16384( fork [a-z]+)? blk 0([, ]|$)", options: .regularExpression) != nil, "\(line)")
    }
    let listing = try Self.walkit(["inspect", "--rmgr", "list"])
    #expect(listing.stdout.split(separator: "\n").count == 22)
  }

  /// `--save-fullpage` writes the same files as pg_waldump 16 and 18, byte for byte.
  @Test(arguments: ["pg16", "pg18"])
  func savedFullPagesEqualPgWaldumps(_ set: String) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("walkit-fpi-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let first = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("TestData/\(set)/archive").path).sorted()[0]
    let run = try Self.walkit(["inspect", "--save-fullpage", directory.path, "-p", "TestData/\(set)/archive", first, first])
    #expect(run.status == 0, "\(run.stderr)")
    let expected = Self.root.appendingPathComponent("TestData/\(set)/fullpage")
    let names = try FileManager.default.contentsOfDirectory(atPath: expected.path).sorted()
    #expect(names.count > 50)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == names)
    for name in names {
      #expect(try Data(contentsOf: directory.appendingPathComponent(name)) == Data(contentsOf: expected.appendingPathComponent(name)), "\(name)")
    }
    let again = try Self.walkit(["inspect", "--save-fullpage", directory.path, "-p", "TestData/\(set)/archive", first, first])
    #expect(again.status == 64, "a directory that is not empty is refused")
  }

  /// A `--save-fullpage` directory that cannot be made stops the run before reading (exit 2),
  /// naming the path and the reason; missing parents of a new one are made.
  @Test func saveFullpageDirectoryThatCannotBeMadeExitsTwo() throws {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("walkit-fpi-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: scratch) }
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    let file = scratch.appendingPathComponent("a-file")
    try Data("x".utf8).write(to: file)
    let blocked = try Self.walkit(["inspect", "--save-fullpage", file.path + "/pages", "-p", "TestData/pg16/archive"])
    #expect(blocked.status == 2)
    #expect(blocked.stderr.contains(file.path) && blocked.stderr.contains("Not a directory"), "\(blocked.stderr)")
    #expect(blocked.stdout.isEmpty)

    let nested = scratch.appendingPathComponent("new/pages")
    let made = try Self.walkit(["inspect", "--save-fullpage", nested.path, "-n", "200", "-p", "TestData/pg16/archive"])
    #expect(made.status == 0, "\(made.stderr)")
    #expect(!(try FileManager.default.contentsOfDirectory(atPath: nested.path)).isEmpty)
  }

  /// pg_waldump's filters (-r, -x, -R/-B, -F, -w, -n) select the same records; lines of the
  /// resource managers walkit describes fully are equal, the others agree up to the type.
  @Test(arguments: ["pg15", "pg16", "pg18"])
  func filtersSelectWhatPgWaldumpSelects(_ set: String) throws {
    let directory = Self.root.appendingPathComponent("TestData/\(set)/filters")
    let argumentSets = try String(contentsOf: directory.appendingPathComponent("ARGS"), encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|")
    let segments = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("TestData/\(set)/archive").path).sorted()
    let described: Set<String> = ["XLOG", "Transaction", "Storage", "Standby", "Heap", "Heap2", "Btree", "Database", "Sequence",
                                  "RelMap", "CLOG", "MultiXact", "LogicalMessage"]
    for (index, arguments) in argumentSets.enumerated() {
      let expected = try String(contentsOf: directory.appendingPathComponent("filter\(index + 1).txt"), encoding: .utf8)
        .split(separator: "\n")
      let run = try Self.walkit(["inspect", "-p", "TestData/\(set)/archive"] + arguments.split(separator: " ").map(String.init)
                                + [segments.first!, segments.last!])
      #expect(run.status == 0, "\(arguments): \(run.stderr)")
      let lines = run.stdout.split(separator: "\n")
      #expect(lines.count == expected.count, "\(set) \(arguments)")
      for (ours, theirs) in zip(lines, expected) {
        let rmgr = String(theirs.dropFirst(6).prefix { $0 != " " })
        if described.contains(rmgr) {
          #expect(ours == theirs, "\(set) \(arguments)")
        } else {
          let typeEnd = theirs.range(of: "desc: ")!.upperBound
          #expect(ours.hasPrefix(theirs[..<(theirs[typeEnd...].firstIndex(of: " ") ?? theirs.endIndex)]), "\(set) \(arguments)")
        }
      }
    }
  }

  /// `inspect` of a stored object (pgBackRest's `SEGMENT-SHA1.zst`) reads that object, not the
  /// file its segment's name would find in the same directory.
  @Test func inspectOfAStoredObjectReadsThatObject() throws {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("walkit-object-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let repository = Self.root.appendingPathComponent("TestData/pg15-repositories/pgbackrest/archive").path
    let directory = try #require(try FileManager.default.subpathsOfDirectory(atPath: repository).first { $0.hasSuffix("/0000000100000000") })
    let object = try #require(try FileManager.default.contentsOfDirectory(atPath: repository + "/" + directory)
      .first { $0.hasPrefix("000000010000000000000007-") && $0.hasSuffix(".zst") })
    try FileManager.default.copyItem(atPath: repository + "/" + directory + "/" + object, toPath: scratch.appendingPathComponent(object).path)
    let flat = Self.root.appendingPathComponent("TestData/pg15-repositories/flat").path
    try FileManager.default.copyItem(atPath: flat + "/000000010000000000000008", toPath: scratch.appendingPathComponent("000000010000000000000007").path)
    let run = try Self.walkit(["inspect", "-n", "20", scratch.appendingPathComponent(object).path])
    let plain = try Self.walkit(["inspect", "-n", "20", flat + "/000000010000000000000007"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(plain.status == 0 && !plain.stdout.isEmpty)
    #expect(run.stdout == plain.stdout)
    // Named in the -p directory, as pg_waldump takes STARTSEG.
    let inPath = try Self.walkit(["inspect", "-n", "20", "-p", scratch.path, object])
    #expect(inPath.status == 0, "\(inPath.stderr)")
    #expect(inPath.stdout == plain.stdout)
  }

  /// Statistics of filtered records run, as pg_waldump's do, from the first record read
  /// (filtered out or not) to the end of the last one counted; with no record counted, pg_waldump
  /// (15 on) prints nothing. filters/stats-record-heap2.txt: that version's
  /// `pg_waldump --stats=record -r Heap2` of the whole archive.
  @Test(arguments: ["pg15", "pg16", "pg18"])
  func filteredStatisticsSpanWhatPgWaldumpsDo(_ set: String) throws {
    let segments = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("TestData/\(set)/archive").path).sorted()
    let run = try Self.walkit(["inspect", "--stats=record", "-r", "Heap2", "-p", "TestData/\(set)/archive", segments.first!, segments.last!])
    let expected = try String(contentsOf: Self.root.appendingPathComponent("TestData/\(set)/filters/stats-record-heap2.txt"), encoding: .utf8)
    #expect(run.status == 0)
    #expect(run.stdout == expected)
    let none = try Self.walkit(["inspect", "--stats", "-x", "4294967295", "-p", "TestData/\(set)/archive", segments.first!, segments.last!])
    #expect(none.status == 0)
    #expect(none.stdout == "")
  }

  @Test(arguments: ["pg15", "pg16", "pg18"])
  func blockDetailsEqualPgWaldumps(_ set: String) throws {
    let segments = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("TestData/\(set)/archive").path).sorted()
    let run = try Self.walkit(["inspect", "-b", "-w", "-n", "40", "-p", "TestData/\(set)/archive", segments.first!, segments.last!])
    let expected = try String(contentsOf: Self.root.appendingPathComponent("TestData/\(set)/filters/bkp-details.txt"), encoding: .utf8)
    #expect(run.stdout == expected)
  }

  @Test func keepGoingResumesAfterDamageAndWithoutItReadingStops() throws {
    let directory = try Self.damagedArchive()
    defer { try? FileManager.default.removeItem(at: directory) }
    let stops = try Self.walkit(["inspect", "-p", directory.path])
    #expect(stops.status == 1)
    #expect(stops.stderr.contains("crc-mismatch"))
    let goesOn = try Self.walkit(["inspect", "--keep-going", "-p", directory.path])
    #expect(goesOn.status == 1)
    let all = try Self.walkit(["inspect", "-p", "TestData/pg16/archive"]).stdout.split(separator: "\n")
    let resumed = goesOn.stdout.split(separator: "\n")
    // Only the damaged record is missing; before and after it, the lines are the pristine ones.
    #expect(resumed.count == all.count - 1)
    #expect(Set(all).subtracting(resumed).count == 1)
    #expect(stops.stdout.split(separator: "\n").count < resumed.count)

    // Where reading resumed is said: the damaged record's LSN, the next record's, the bytes between.
    func lsn(_ line: Substring) -> String {
      let field = String(line.split(separator: "lsn: ")[1].prefix { $0 != "," })
      let parts = field.split(separator: "/")
      return String(parts[0]) + "/" + String(String(parts[1]).drop { $0 == "0" })
    }
    let missing = try #require(all.firstIndex { !resumed.contains($0) })
    let damaged = lsn(all[missing]), next = lsn(all[missing + 1])
    #expect(goesOn.stderr.contains("walkit inspect: resumed at \(next) after damage at \(damaged): "), "\(goesOn.stderr)")
    let json = try Self.walkit(["inspect", "--json", "--keep-going", "-p", directory.path])
    let last = try Self.json(String(try #require(json.stdout.split(separator: "\n").last)))
    #expect(last["schema"] as? String == "walkit.inspect.resumption/1")
    #expect(last["damagedLSN"] as? String == damaged)
    #expect(last["resumedLSN"] as? String == next)
    // Read one record at a time (-n), the same: damage, not WAL gone from the source.
    let counted = try Self.walkit(["inspect", "--keep-going", "-n", "1000000", "-p", directory.path])
    #expect(counted.status == 1)
    #expect(!counted.stderr.contains("no longer in"))
    #expect(counted.stdout == goesOn.stdout)
  }

  @Test func followPrintsRecordsOfSegmentsThatArriveLater() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("walkit-follow-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let source = Self.root.appendingPathComponent("TestData/pg16/archive")
    let names = try FileManager.default.contentsOfDirectory(atPath: source.path).sorted()
    for name in names.prefix(2) { try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: directory.appendingPathComponent(name)) }
    let all = try Self.walkit(["inspect", "-p", "TestData/pg16/archive"]).stdout.split(separator: "\n")
    let process = Process()
    process.executableURL = Self.binary
    process.arguments = ["inspect", "--follow", "-p", directory.path]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let collected = CollectedLines(out.fileHandleForReading)
    Thread.sleep(forTimeInterval: 1.5)
    // Segments arrive whole, as an archive command's copy-then-rename makes them appear.
    for name in names.dropFirst(2) {
      let temporary = directory.appendingPathComponent(name + ".tmp")
      try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: temporary)
      try FileManager.default.moveItem(at: temporary, to: directory.appendingPathComponent(name))
    }
    collected.wait(forLines: all.count, seconds: 120)
    process.interrupt()
    process.waitUntilExit()
    let data = collected.whole()
    #expect(process.terminationStatus == 0)
    let followed = String(decoding: data, as: UTF8.self).split(separator: "\n")
    #expect(followed.count == all.count)
    let first = zip(followed, all).enumerated().first { $0.element.0 != $0.element.1 }
    #expect(first == nil, "line \(first?.offset ?? -1): \(first.map { String($0.element.0.prefix(120)) } ?? "")")
  }
}

/// A child's output read as it is written (so that the child never waits on a full pipe), to
/// be waited on by lines rather than by time: a loaded host makes any fixed wait too short.
final class CollectedLines: @unchecked Sendable {
  private var data = Data()
  private var lines = 0
  private var ended = false
  private let changed = NSCondition()

  init(_ handle: FileHandle) {
    Thread { [self] in
      while true {
        let chunk = handle.availableData
        changed.lock()
        data.append(chunk)
        lines += chunk.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        ended = chunk.isEmpty
        changed.broadcast()
        changed.unlock()
        if chunk.isEmpty { return }
      }
    }.start()
  }

  /// Until `count` lines have been written, the output ends, or `seconds` pass.
  func wait(forLines count: Int, seconds: Double) {
    let deadline = Date().addingTimeInterval(seconds)
    changed.lock()
    defer { changed.unlock() }
    while lines < count && !ended && changed.wait(until: deadline) {}
  }

  /// Everything written, once the output has ended (or what there is after `seconds`).
  func whole(seconds: Double = 120) -> Data {
    let deadline = Date().addingTimeInterval(seconds)
    changed.lock()
    defer { changed.unlock() }
    while !ended && changed.wait(until: deadline) {}
    return data
  }
}

extension CLITests {
  @Test func repositoriesAreDetectedAndNamed() throws {
    let pgBackRest = try Self.walkit(["verify", "TestData/pg15-repositories/pgbackrest"])
    #expect(pgBackRest.status == 0, "\(pgBackRest.stdout)\(pgBackRest.stderr)")
    #expect(pgBackRest.stdout.hasPrefix("TestData/pg15-repositories/pgbackrest: pgBackRest stanza demo, archive id 15-1 (PostgreSQL 15, system identifier "))
    let barman = try Self.walkit(["gaps", "--json", "--from", "TestData/pg15-repositories/backup_label", "TestData/pg15-repositories/barman/pg15"])
    #expect(barman.status == 0, "\(barman.stdout)\(barman.stderr)")
    let document = try Self.json(barman.stdout)
    let repositories = try #require(document["repositories"] as? [[String: String]])
    #expect(repositories.map { $0["layout"] } == ["barman"])
    let walG = try Self.walkit(["inspect", "-p", "TestData/pg15-repositories/walg", "-n", "1"])
    #expect(walG.status == 0)
    #expect(walG.stderr.contains("walkit inspect: reading TestData/pg15-repositories/walg: WAL-G storage"))
    #expect(walG.stdout.hasPrefix("rmgr: "))
    let forced = try Self.walkit(["verify", "--layout", "barman", "TestData/pg15-repositories/flat"])
    #expect(forced.status == 2)
    #expect(forced.stderr.contains("not a usable Barman catalogue"))
    let encrypted = try Self.walkit(["verify", "TestData/pg15-repositories/pgbackrest-encrypted"])
    #expect(encrypted.status == 2)
    #expect(encrypted.stderr.contains("encrypted"))
  }
}
