import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The contract every command keeps (README, --help, walkit(1)): nothing to read is never a
/// success, usage errors exit 64 with the command's usage, output that cannot be written exits
/// 2, and pg_waldump's spellings and messages where inspect takes its options.
@Suite(.timeLimit(.minutes(10))) struct ContractTests {
  static func walkit(_ arguments: [String]) throws -> CLITests.Run { try CLITests.walkit(arguments) }

  static func scratch() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("walkit-contract-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
  }

  static let commands: [[String]] = [["verify"], ["gaps"], ["inspect", "-p"]]

  /// Copies every file of a TestData directory (a path from the repository root) into `directory`.
  static func copyContents(of relative: String, into directory: URL) throws {
    let source = CLITests.root.appendingPathComponent(relative)
    for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
      try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: directory.appendingPathComponent(name))
    }
  }

  @Test(arguments: commands)
  func anEmptyDirectoryIsNothingToReadAndExitsTwo(_ command: [String]) throws {
    let empty = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: empty) }
    let run = try Self.walkit(command + [empty.path])
    #expect(run.status == 2)
    #expect(run.stdout.isEmpty)
    #expect(run.stderr.hasPrefix("walkit \(command[0]): no WAL segment in \(empty.path): walkit looks for files named like 000000010000000000000001"))
    let diff = try Self.walkit(["diff", empty.path, "TestData/pg16/archive"])
    #expect(diff.status == 2)
    #expect(diff.stderr.contains("no WAL segment in \(empty.path)"))
  }

  /// History files alone are no WAL a standby could recover from: a directory of them is as
  /// empty as one with nothing; a history file named itself is checked.
  @Test(arguments: commands)
  func aDirectoryOfHistoryFilesAloneIsNothingToRead(_ command: [String]) throws {
    let directory = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: directory) }
    let history = directory.appendingPathComponent("00000002.history")
    try FileManager.default.copyItem(atPath: "\(CLITests.root.path)/TestData/pg18-timeline/archive/00000002.history",
                                     toPath: history.path)
    let run = try Self.walkit(command + [directory.path])
    #expect(run.status == 2)
    #expect(run.stderr.hasPrefix("walkit \(command[0]): no WAL segment in \(directory.path)"), "\(run.stderr)")
    let named = try Self.walkit(["verify", history.path])
    #expect(named.status == 0)
    #expect(named.stdout.contains("read and well-formed"), "\(named.stdout)")
  }

  /// A range whose end lies past the WAL at hand is not read to its end: as pg_waldump 15, which
  /// cannot open the end segment's file, inspect says so and exits 1 (naming the first segment
  /// missing); a range read to its end exits 0.
  @Test func aRangeEndingPastTheWALAtHandExitsOne() throws {
    let archive = "TestData/pg15/archive"
    let waldump = try CLITests.run(URL(fileURLWithPath: "/usr/lib/postgresql/15/bin/pg_waldump"),
                                   ["-q", "-p", archive, "000000010000000000000007", "00000001000000000000000C"])
    #expect(waldump.status == 1)
    #expect(waldump.stderr.contains("could not open file \"00000001000000000000000C\""), "\(waldump.stderr)")
    let run = try Self.walkit(["inspect", "-q", "-p", archive, "000000010000000000000007", "00000001000000000000000C"])
    #expect(run.status == 1)
    #expect(run.stderr == "walkit inspect: error: the WAL read ends at 0/B00000, before the end of the requested range at "
      + "0/D00000: no segment 00000001000000000000000B in \(archive)\n", "\(run.stderr)")
    let inside = try Self.walkit(["inspect", "-p", archive, "000000010000000000000007", "00000001000000000000000A"])
    #expect(inside.status == 0)
    #expect(inside.stderr.contains("the end of the requested range"), "\(inside.stderr)")
  }

  /// pg_waldump stops reading at `-n`'s last record and at `-e`: damage past there does not
  /// make it fail, and neither does it make inspect exit 1. Read to the damage, both exit 1.
  @Test func damagePastWhereTheListingStopsIsNotReported() throws {
    let top = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: top) }
    let segment = top.appendingPathComponent("000000010000000000000007")
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(CLITests.root.path)/TestData/pg15/archive/000000010000000000000007")))
    bytes[0x80000 + 100] ^= 0xFF
    try Data(bytes).write(to: segment)
    let waldump = URL(fileURLWithPath: "/usr/lib/postgresql/15/bin/pg_waldump")
    for (options, status) in [(["-n", "5"], 0), (["-e", "0/740000"], 0), ([], 1)] {
      let theirs = try CLITests.run(waldump, options + [segment.path])
      #expect(theirs.status == Int32(status), "pg_waldump \(options): \(theirs.stderr)")
      let ours = try Self.walkit(["inspect"] + options + [segment.path])
      #expect(ours.status == Int32(status), "walkit inspect \(options): \(ours.stderr)")
      #expect(ours.stderr.contains("error in WAL") == (status == 1), "\(options): \(ours.stderr)")
    }
  }

  @Test func segmentsOneLevelDownAreNamed() throws {
    let top = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: top) }
    let nested = top.appendingPathComponent("archive/0000000100000000")
    try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: "\(CLITests.root.path)/TestData/pg16/archive/000000010000000000000006",
                                     toPath: nested.appendingPathComponent("000000010000000000000006").path)
    let run = try Self.walkit(["verify", "--json", top.path])
    #expect(run.status == 2)
    let document = try CLITests.json(run.stdout)
    #expect((document["error"] as? String)?.contains("segments are in subdirectories: \(nested.path) (1)") == true)
  }

  @Test func aDirectoryWithoutWALIsNotClean() throws {
    let run = try Self.walkit(["verify", "/etc"])
    #expect(run.status == 2)
    #expect(!run.stdout.contains("no problems"))
  }

  /// What pg_waldump 15 reports as "could not find file", a timeline with no WAL, or no record
  /// after the start: each exits 2 with the `walkit inspect:` prefix.
  @Test(arguments: [
    (["inspect", "-p", "TestData/pg16/archive", "000000010000000000000003"], "could not find file \"000000010000000000000003\""),
    (["inspect", "-p", "TestData/pg16/archive", "-t", "3"], "no WAL segment of timeline 3 in TestData/pg16/archive"),
    // A start LSN in a segment that is not there, before or after the WAL at hand (pg_waldump
    // 15: `could not find file "000000010000000000000050"` for -s 0/50000000 past its WAL).
    (["inspect", "-p", "TestData/pg16/archive", "-s", "5/0"], "could not find file \"000000010000000500000000\""),
    (["inspect", "-p", "TestData/pg16/archive", "-s", "0/300000"], "could not find file \"000000010000000000000003\""),
    // A start at or after the end, as pg_waldump 14-18 answer it: no valid record after the start.
    (["inspect", "-p", "TestData/pg16/archive", "-s", "0/900000", "-e", "0/800000"], "could not find a valid record at or after 0/900000"),
    (["inspect", "-p", "TestData/pg16/archive", "-e", "0/600000", "000000010000000000000006"],
     "could not find a valid record at or after 0/600000"),
    (["inspect", "--stats", "-p", "TestData/pg16/archive", "-s", "0/600028", "-e", "0/600028"],
     "could not find a valid record at or after 0/600028"),
    (["inspect", "/nonexistent/000000010000000000000001"], "/nonexistent: No such file or directory"),
  ])
  func inspectSaysWhatItCouldNotFind(_ arguments: [String], _ message: String) throws {
    let run = try Self.walkit(arguments)
    #expect(run.status == 2)
    #expect(run.stderr.hasPrefix("walkit inspect: " + message), "\(run.stderr)")
  }

  /// A start at or after the end is answered at once, before anything is read: following
  /// there is no record to wait for, and `--stats --json` writes no document.
  @Test(arguments: [["-f", "-s", "0/900000", "-e", "0/800000"], ["-f", "-e", "0/600000", "000000010000000000000006"],
                    ["-f", "-s", "0/600028", "-e", "0/600028"], ["--stats", "--json", "-s", "0/600028", "-e", "0/600028"]])
  func aStartAtOrAfterTheEndIsAnsweredAtOnce(_ arguments: [String]) throws {
    let run = try CLITests.run(URL(fileURLWithPath: "/usr/bin/timeout"),
                               ["20", CLITests.binary.path, "inspect", "-p", "TestData/pg16/archive"] + arguments)
    #expect(run.status == 2)
    #expect(run.stdout.isEmpty)
    #expect(run.stderr.hasPrefix("walkit inspect: could not find a valid record at or after 0/"), "\(run.stderr)")
  }

  @Test func aStartOutsideTheStartSegmentIsAUsageError() throws {
    let run = try Self.walkit(["inspect", "-p", "TestData/pg16/archive", "-s", "0/900000", "000000010000000000000006",
                               "000000010000000000000007"])
    #expect(run.status == 64)
    #expect(run.stderr.hasPrefix("walkit inspect: start WAL location 0/900000 is not inside file \"000000010000000000000006\""))
    #expect(run.stderr.contains("Usage: walkit inspect "))
  }

  /// As pg_waldump 16 (its words): -s must lie in STARTSEG and -e in the last segment named (or
  /// at its end), else a usage error.
  @Test(arguments: [
    (["-s", "0/1800000", "-e", "0/2200000", "000000010000000000000006", "000000010000000000000007"],
     "start WAL location 0/1800000 is not inside file \"000000010000000000000006\""),
    (["-s", "0/600028", "-e", "0/900000", "000000010000000000000006", "000000010000000000000007"],
     "end WAL location 0/900000 is not inside file \"000000010000000000000007\""),
    (["-e", "0/700028", "000000010000000000000006"], "end WAL location 0/700028 is not inside file \"000000010000000000000006\""),
  ])
  func rangeOutsideTheSegmentsNamedIsAUsageError(_ arguments: [String], message: String) throws {
    let run = try Self.walkit(["inspect", "-p", "TestData/pg16/archive"] + arguments)
    #expect(run.status == 64)
    #expect(run.stderr.hasPrefix("walkit inspect: " + message), "\(run.stderr)")
    let atTheEnd = try Self.walkit(["inspect", "-q", "-p", "TestData/pg16/archive", "-e", "0/800000", "000000010000000000000006", "000000010000000000000007"])
    #expect(atTheEnd.status == 0, "\(atTheEnd.stderr)")
  }

  /// pg_waldump's -n counts only when above 0: `-n 0` and `-n -1` list every record.
  @Test(arguments: [["-n", "0"], ["-n", "-1"], ["-n-1"], ["--limit=0"]])
  func aLimitOfZeroOrLessIsNoLimit(_ limit: [String]) throws {
    let all = try Self.walkit(["inspect", "-p", "TestData/pg16/archive", "000000010000000000000006"])
    let run = try Self.walkit(["inspect", "-p", "TestData/pg16/archive"] + limit + ["000000010000000000000006"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(!all.stdout.isEmpty && run.stdout == all.stdout)
  }

  /// `verify` with only paths, `-q` and `--json` is read without ArgumentParser (it starts 2 ms
  /// sooner); `--` before the paths sends the same request through ArgumentParser.
  @Test(arguments: [["TestData/pg16/archive"], ["-q", "TestData/pg16/archive/000000010000000000000006"],
                    ["--json", "TestData/pg18/archive"], ["--quiet", "--json", "-q", "TestData/pg16/archive", "TestData/pg18/archive"],
                    ["/nonexistent/walkit"], ["--json", "/nonexistent/walkit"], ["-q", "TestData/pg16/archive/missing"]])
  func theQuickVerifyFormAnswersAsArgumentParsersDoes(_ arguments: [String]) throws {
    let quick = try Self.expectQuickFormAnswersAsArgumentParsersDoes(["verify"] + arguments)
    #expect(!quick.stdout.isEmpty || !quick.stderr.isEmpty)
  }

  /// Runs `arguments`, a form walkit reads without ArgumentParser, and the same request with
  /// `--` before its paths, which ArgumentParser reads; expects the same status and output.
  @discardableResult
  static func expectQuickFormAnswersAsArgumentParsersDoes(_ arguments: [String]) throws -> CLITests.Run {
    let flags = arguments.dropFirst().filter { $0.hasPrefix("-") }, paths = arguments.dropFirst().filter { !$0.hasPrefix("-") }
    let quick = try CLITests.walkit(arguments)
    let parsed = try CLITests.walkit([arguments[0]] + flags + ["--"] + paths)
    #expect(quick.status == parsed.status, "\(arguments)")
    #expect(quick.stdout == parsed.stdout, "\(arguments)")
    #expect(quick.stderr == parsed.stderr, "\(arguments)")
    return quick
  }

  @Test func theQuickVerifyFormLeavesEverythingElseToArgumentParser() throws {
    for arguments in [["verify"], ["verify", "-x", "TestData/pg16/archive"], ["verify", "--jobs", "0", "TestData/pg16/archive"]] {
      let run = try CLITests.walkit(arguments)
      #expect(run.status == 64, "\(arguments): \(run.stderr)")
      #expect(run.stderr.contains("Usage: walkit verify "), "\(arguments)")
    }
    let help = try CLITests.walkit(["verify", "--help"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("USAGE: walkit verify <paths> ..."))
  }

  /// `inspect` with one or two segment files and only flags that take no value is read without
  /// ArgumentParser too; `--` before the files sends the same request through it.
  @Test(arguments: [["TestData/pg16/archive/000000010000000000000006"],
                    ["--stats=record", "TestData/pg16/archive/000000010000000000000007"],
                    ["-z", "--json", "TestData/pg18/archive/000000010000000000000009"],
                    ["--stats=rmgr", "TestData/pg18/archive/00000001000000000000000A"],
                    ["-b", "-w", "TestData/pg16/archive/000000010000000000000006", "TestData/pg16/archive/000000010000000000000007"],
                    ["--json", "--keep-going", "TestData/pg18/archive/000000010000000000000008"],
                    ["TestData/pg16/archive/000000010000000000000007", "TestData/pg16/archive/000000010000000000000006"],
                    ["not-a-segment"], ["/nonexistent/000000010000000000000001"],
                    ["TestData/pg16/archive/000000010000000000000005"]])
  func theQuickInspectFormAnswersAsArgumentParsersDoes(_ arguments: [String]) throws {
    let quick = try Self.expectQuickFormAnswersAsArgumentParsersDoes(["inspect"] + arguments)
    #expect(!quick.stdout.isEmpty || !quick.stderr.isEmpty)
  }

  @Test func theQuickInspectFormAnswersForDamageAsArgumentParsersDoes() throws {
    let directory = try CLITests.damagedArchive()
    defer { try? FileManager.default.removeItem(at: directory) }
    let damaged = directory.appendingPathComponent("000000010000000000000007").path
    for flags in [[], ["--stats"], ["--keep-going", "-q"]] {
      let quick = try Self.expectQuickFormAnswersAsArgumentParsersDoes(["inspect"] + flags + [damaged])
      #expect(quick.status == 1, "\(flags): \(quick.stderr)")
    }
  }

  @Test(arguments: [["verify", "TestData/pg16/archive"], ["verify", "--json", "TestData/pg16/archive"],
                    ["inspect", "-p", "TestData/pg16/archive"], ["gaps", "TestData/pg16/archive"],
                    ["diff", "TestData/pg16/archive", "TestData/pg16/archive"]])
  func outputThatCannotBeWrittenExitsTwo(_ arguments: [String]) throws {
    let process = Process()
    process.executableURL = CLITests.binary
    process.arguments = arguments
    process.currentDirectoryURL = CLITests.root
    process.standardOutput = FileHandle(forWritingAtPath: "/dev/full")
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 2)
    #expect(stderr.contains("walkit: cannot write standard output: No space left on device"))
  }

  /// pg_waldump's getopt spellings, and its line when -s is not a record's start: the
  /// expectation is pg_waldump 15's listing of the same files.
  @Test func pgWaldumpSpellingsAndTheFirstRecordLine() throws {
    let listing = WaldumpLines(try String(decoding: Fixture.gunzip("pg15/waldump.txt.gz"), as: UTF8.self))
    let first = try #require(listing.first { $0.lsn > 0x700030 })
    let run = try Self.walkit(["inspect", "-n1", "-s0/700030", "-pTestData/pg15/archive"])
    #expect(run.status == 0)
    let skipped = first.lsn - 0x700030
    #expect(run.stdout == "first record is after 0/700030, at 0/\(String(first.lsn, radix: 16, uppercase: true)), skipping over \(skipped) bytes\n" + first.line + "\n")
    #expect(run.stderr.hasPrefix("walkit inspect: stopped after 1 record, at "))
    let quiet = try Self.walkit(["inspect", "-q", "-p", "TestData/pg15/archive"])
    #expect(quiet.status == 0)
    #expect(quiet.stdout.isEmpty && quiet.stderr.isEmpty)
    let version = try Self.walkit(["inspect", "-V"])
    #expect(version.stdout.hasPrefix("walkit 0.1.0\nCRC-32C: "))
  }

  /// Exit 0 means nothing wrong: a FIFO named like the segment right after the path (a
  /// restore_command would hang on it) is a problem even though replay is continuous.
  @Test func aContinuousAnswerWithAProblemExitsOne() throws {
    let directory = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: directory) }
    try Self.copyContents(of: "TestData/pg18-timeline/archive", into: directory)
    #expect(mkfifo(directory.appendingPathComponent("000000020000000000000010").path, 0o600) == 0)
    let run = try Self.walkit(["gaps", "--from", "TestData/pg18-timeline/backup_label", directory.path])
    #expect(run.status == 1)
    #expect(run.stdout.hasPrefix("CONTINUOUS: "))
    #expect(run.stdout.contains("but 1 problem was found"))
    #expect(run.stdout.contains("\nProblems:\n  unexpected-file"))
  }

  /// An old primary's segment past the switch point beside the promoted side's archive
  /// (TestData/pg15-split): the other branch is a note, and nothing is wrong.
  @Test func anotherBranchOfHistoryIsANote() throws {
    let directory = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: directory) }
    try Self.copyContents(of: "TestData/pg15-split/B", into: directory)
    try FileManager.default.copyItem(atPath: "\(CLITests.root.path)/TestData/pg15-split/A/00000001000000000000000F",
                                     toPath: directory.appendingPathComponent("00000001000000000000000F").path)
    let run = try Self.walkit(["verify", directory.path])
    #expect(run.status == 0, "\(run.stdout)")
    #expect(run.stdout.contains("\nNotes:\n  orphan-timeline"))
    #expect(run.stdout.hasSuffix(": no problems, 1 note.\n"))
    let json = try CLITests.json(try Self.walkit(["verify", "--json", directory.path]).stdout)
    let problems = try #require(json["problems"] as? [[String: Any]])
    #expect(problems.map { $0["severity"] as? String } == ["note"])
    #expect((json["summary"] as? [String: Any])?["clean"] as? Bool == true)
  }

  /// A history or backup history file given alone is checked as what it is, not read as a
  /// damaged segment; a garbage one is a problem.
  @Test func historyAndBackupFilesAreCheckedForWhatTheyAre() throws {
    for file in ["TestData/pg18-timeline/archive/00000002.history", "TestData/pg18-timeline/archive/00000001000000000000000C.00000028.backup"] {
      let run = try Self.walkit(["verify", "--json", file])
      #expect(run.status == 0, "\(file): \(run.stdout)")
      #expect((try CLITests.json(run.stdout)["problems"] as? [Any])?.isEmpty == true)
    }
    let directory = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: directory) }
    let garbage = directory.appendingPathComponent("00000003.history")
    try Data("not a history\n".utf8).write(to: garbage)
    let run = try Self.walkit(["verify", garbage.path])
    #expect(run.status == 1)
    #expect(run.stdout.contains("unreadable-file in \(garbage.path): timeline history 00000003.history cannot be used"))
    #expect(!run.stdout.contains("bad-page-header"))
  }

  /// Times in record lines are pg_waldump 15's under the same TZ (TestData/pg15/timezones, made
  /// by pg_waldump with TZ set); JSON keeps UTC, as ISO 8601 in `time`.
  @Test(arguments: ["Europe/Berlin", "America/St_Johns", "Asia/Kolkata", "UTC"])
  func timesFollowTheTimeZoneAsPgWaldumps(_ zone: String) throws {
    let listing = try CLITests.walkit(["inspect", "-p", "TestData/pg15/archive"], environment: ["TZ": zone]).stdout
    let timed = listing.split(separator: "\n").filter {
      $0.range(of: "desc: (COMMIT|ABORT|PREPARE|COMMIT_PREPARED|ABORT_PREPARED|END_OF_RECOVERY) ", options: .regularExpression) != nil
    }
    let truth = try String(contentsOf: CLITests.root.appendingPathComponent("TestData/pg15/timezones/\(zone.replacingOccurrences(of: "/", with: "-")).txt"),
                           encoding: .utf8).split(separator: "\n")
    #expect(truth.count > 20)
    #expect(timed == truth)
  }

  @Test func jsonTimesAreISO8601InUTC() throws {
    let run = try Self.walkit(["inspect", "--json", "-r", "Transaction", "-n", "3", "-p", "TestData/pg15/archive"])
    let lines = try run.stdout.split(separator: "\n").map { try CLITests.json(String($0)) }
    let utc = try String(contentsOf: CLITests.root.appendingPathComponent("TestData/pg15/timezones/UTC.txt"), encoding: .utf8)
    for object in lines where object["type"] as? String == "COMMIT" {
      let time = try #require(object["time"] as? String)
      #expect(time.hasSuffix("Z") && time.contains("T"))
      // The same instant pg_waldump printed in UTC.
      let text = time.dropLast().replacingOccurrences(of: "T", with: " ") + " UTC"
      #expect(utc.contains(text), "\(text)")
      #expect((object["description"] as? String)?.hasPrefix(text) == true)
    }
  }

  /// --follow stopped by SIGTERM or Ctrl-C says where it stopped, like a run that ends.
  @Test(arguments: [(SIGTERM, ["-p", "TestData/pg16/archive"], "walkit inspect: end of WAL at 0/A00000\n"),
                    (SIGINT, ["-p", "TestData/pg16/archive", "-s", "0/A00000"],
                     "walkit inspect: stopped while waiting; no record read at or after 0/A00000\n")])
  func followStoppedBySignalSaysWhere(_ signal: Int32, _ arguments: [String], _ expected: String) throws {
    let process = Process()
    process.executableURL = CLITests.binary
    process.arguments = ["inspect", "--follow"] + arguments
    process.currentDirectoryURL = CLITests.root
    let listed = try CLITests.walkit(["inspect"] + arguments).stdout.split(separator: "\n").count
    let out = Pipe()
    process.standardOutput = out
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    // Once every record there is has been written, and the signal is caught rather than
    // left to end the process, the run is waiting for more.
    let collected = CollectedLines(out.fileHandleForReading)
    collected.wait(forLines: listed, seconds: 120)
    #expect(Self.waitUntilCatching(signal, process: process.processIdentifier, seconds: 120))
    Thread.sleep(forTimeInterval: 1.5)
    kill(process.processIdentifier, signal)
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    #expect(stderr == expected)
  }

  /// Whether the process catches `signal` (its `SigCgt` mask in /proc), polled until it does
  /// or `seconds` pass.
  static func waitUntilCatching(_ signal: Int32, process: Int32, seconds: Double) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      let status = (try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8)) ?? ""
      if let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
        let mask = UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16),
        mask & (1 << UInt64(signal - 1)) != 0
      {
        return true
      }
      Thread.sleep(forTimeInterval: 0.01)
    }
    return false
  }

  /// --follow with an end stops there instead of waiting.
  @Test func followWithAnEndStopsThere() throws {
    let started = Date()
    let run = try Self.walkit(["inspect", "--follow", "-p", "TestData/pg16/archive", "-e", "0/700000"])
    #expect(run.status == 0)
    #expect(Date().timeIntervalSince(started) < 10)
    #expect(run.stderr.hasSuffix("the end of the requested range\n"), "\(run.stderr)")
  }

  /// inspect lists records: a timeline's history file is not needed for that.
  @Test func inspectOfALaterTimelineWithoutItsHistoryIsFine() throws {
    let directory = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.copyItem(atPath: "\(CLITests.root.path)/TestData/pg18-timeline/archive/00000002000000000000000F",
                                     toPath: directory.appendingPathComponent("00000002000000000000000F").path)
    let run = try Self.walkit(["inspect", "-p", directory.path])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(!run.stdout.isEmpty)
  }

  /// Timeline 0 does not exist: such a name is not a segment.
  @Test func aNameOfTimelineZeroIsNotASegment() throws {
    let directory = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: directory) }
    for name in ["000000010000000000000006", "000000010000000000000007"] {
      try FileManager.default.copyItem(atPath: "\(CLITests.root.path)/TestData/pg16/archive/\(name)",
                                       toPath: directory.appendingPathComponent(name).path)
    }
    FileManager.default.createFile(atPath: directory.appendingPathComponent("000000000000000000000015").path, contents: Data())
    let run = try Self.walkit(["verify", "--json", directory.path])
    #expect(run.status == 0, "\(run.stdout)")
    let document = try CLITests.json(run.stdout)
    #expect((document["otherFiles"] as? [String])?.contains { $0.hasSuffix("000000000000000000000015") } == true)
  }
}

/// pg_waldump's record lines with their LSN, for expectations.
struct WaldumpLines: Sequence {
  struct Line {
    var line: String
    var lsn: UInt64
  }
  var lines: [Line]
  init(_ text: String) {
    lines = text.split(separator: "\n").compactMap { line in
      guard let field = line.split(separator: "lsn: ").last?.prefix(while: { $0 != "," }),
        let slash = field.firstIndex(of: "/"), let high = UInt64(field[..<slash], radix: 16),
        let low = UInt64(field[field.index(after: slash)...], radix: 16)
      else { return nil }
      return Line(line: String(line), lsn: high << 32 | low)
    }
  }
  func makeIterator() -> IndexingIterator<[Line]> { lines.makeIterator() }
}

enum Fixture {
  static func gunzip(_ relative: String) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-dc", CLITests.root.appendingPathComponent("TestData/\(relative)").path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return data
  }
}
