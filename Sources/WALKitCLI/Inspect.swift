import ArgumentParser
import WALKit

extension Walkit {
  struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "inspect",
      abstract: "List WAL records like pg_waldump, or their statistics, for every version from 10 to 18.",
      discussion: """
        Options follow pg_waldump's. STARTSEG and ENDSEG name segment files (a directory part sets the path); -s and -e take LSNs. Without a start, reading starts at the first segment of the timeline. Reaching the clean end of WAL is not an error: the end LSN goes to standard error and the exit status is 0. Damage is reported with its location and exit status 1.

        \(ExitStatus.helpText)
        """)

    @Argument(help: "First segment file to read.") var startSegment: String?
    @Argument(help: "Last segment file to read.") var endSegment: String?

    @Option(name: [.short, .customLong("path")], help: "Directory (archive, pg_wal) or file to read.") var path: String?
    @Option(name: [.short, .customLong("start")], help: "Start reading at the first record at or after this LSN.") var start: String?
    @Option(name: [.short, .customLong("end")], help: "Stop reading at this LSN.") var end: String?
    @Option(name: [.short, .customLong("timeline")], help: "Timeline to read (default: STARTSEG's; else the history recovery follows: the newest timeline with a .history file and its ancestors up to each switch).") var timeline: UInt32?
    @Option(name: [.customShort("n"), .customLong("limit")], help: "Stop after this many records (0 or less: no limit, as pg_waldump).") var limit: Int?
    @Option(name: [.short, .customLong("rmgr")], help: "Only records of this resource manager (repeatable; 'list' lists them).")
    var rmgr: [String] = []
    @Option(name: [.short, .customLong("xid")], help: "Only records of this transaction.") var xid: UInt32?
    @Option(name: [.customShort("R"), .customLong("relation")], help: "Only records touching relation T/D/R.") var relation: String?
    @Option(name: [.customShort("B"), .customLong("block")], help: "Only records touching this block (needs -R).") var block: UInt32?
    @Option(name: [.customShort("F"), .customLong("fork")], help: "Only records touching this fork: main, fsm, vm, init.") var fork: String?
    @Flag(name: [.customShort("w"), .customLong("fullpage")], help: "Only records with a full-page image.") var fullpage = false
    @Flag(name: [.short, .customLong("bkp-details")], help: "Show block references in detail, one line each.") var bkpDetails = false
    @Flag(name: [.customShort("z"), .customLong("stats")], help: "Show statistics per resource manager instead of records.")
    var stats = false
    @Flag(name: .customLong("stats-per-record"), help: "Show statistics per record type (also spelled --stats=record).")
    var statsPerRecord = false
    @Flag(name: .long, help: "Write JSON: one object per record per line, or one document for statistics.") var json = false
    @Flag(name: [.short, .customLong("quiet")], help: "Print nothing but errors, as pg_waldump -q: check the records only.")
    var quiet = false
    @Flag(name: [.customShort("V"), .customLong("version")], help: "Print walkit's version and what it was built with.")
    var version = false
    @Flag(name: [.short, .customLong("follow")], help: "At the end of WAL, keep waiting for new records and segments, like tail -f; stop with Ctrl-C.")
    var follow = false
    @Flag(name: .customLong("keep-going"), help: "After damage, report it and go on at the next record boundary a later page gives.")
    var keepGoing = false
    @Option(name: .customLong("save-fullpage"), help: "Write each full-page image, restored, as a page file into this new or empty directory.")
    var saveFullpage: String?
    @OptionGroup var layoutOptions: LayoutOptions

    static let forks: [String: ForkNumber] = ["main": .main, "fsm": .freeSpaceMap, "vm": .visibilityMap, "init": .initialization]

    func validate() throws {
      if let start, LSN(start) == nil { throw ValidationError("could not parse start WAL location \"\(start)\"") }
      if let end, LSN(end) == nil { throw ValidationError("could not parse end WAL location \"\(end)\"") }
      if let relation, Self.parseRelation(relation) == nil {
        throw ValidationError("could not parse valid relation from \"\(relation)\" (expecting \"tablespace OID/database OID/relation filenode\")")
      }
      if block != nil && relation == nil { throw ValidationError("option -B/--block requires option -R/--relation to be specified") }
      if let fork, Self.forks[fork] == nil { throw ValidationError("could not parse fork \"\(fork)\"") }
      for name in rmgr where name != "list" && ResourceManager.named(name) == nil {
        throw ValidationError("resource manager \"\(name)\" does not exist")
      }
    }

    static func parseRelation(_ text: String) -> RelFileLocator? {
      let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { UInt32($0) }
      guard parts.count == 3, let tablespace = parts[0], let database = parts[1], let relation = parts[2] else { return nil }
      return RelFileLocator(tablespace: tablespace, database: database, relation: relation)
    }

    func run() throws {
      try InspectRequest(self).run()
    }
  }
}
