import ArgumentParser
import WALKit

extension Walkit {
  struct Gaps: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "gaps",
      abstract: "Tell whether a standby can replay from a start point with the WAL at hand, and how far.",
      discussion: """
        SOURCE is an archive directory or a pg_wal; give both to look where a standby looks (archive first, then pg_wal). walkit follows the timeline history files as PostgreSQL's recovery does, picks for each segment the file recovery would restore, and checks the content of each (unless --names-only).

        --from takes a data directory (a base backup, a standby, a stopped or crashed primary: its backup_label, else its global/pg_control, decides the start as PostgreSQL's startup does, and its system identifier names the cluster), a backup_label file, a .backup history file, an LSN (with --start-timeline), or a segment name. Without it, the first segment.

        --primary names the primary's data directory, live or stopped: its pg_wal is read after the SOURCEs, its replication slots (pg_replslot) are read, and the answer says whether the standby can resume streaming, must first restore what the primary removed from the archive, or cannot catch up.

        \(ExitStatus.helpText)
        """)

    @Argument(help: "Archive directories and/or a pg_wal, in the order a standby looks in them.")
    var sources: [String] = []

    @Option(help: "Start point: a data directory, backup_label, .backup file, LSN or segment name.")
    var from: String?

    @Option(help: "The primary's data directory: stream from its pg_wal, with its replication slots.")
    var primary: String?

    @Option(name: .customLong("start-timeline"), help: "Timeline of an LSN given with --from (default 1).")
    var startTimeline: UInt32?

    @Option(help: "Target: an LSN, or 'immediate' (as soon as replay is consistent). Default: the end of the newest WAL.")
    var to: String?

    @Option(name: .customLong("to-time"), help: "Target: recovery_target_time, e.g. '2026-12-02 17:30:00+00' (no zone: the local time zone).")
    var toTime: String?

    @Option(name: .customLong("to-xid"), help: "Target: recovery_target_xid, the commit or abort of this transaction.")
    var toXID: UInt32?

    @Option(name: .customLong("to-name"), help: "Target: recovery_target_name, the first restore point of this name.")
    var toName: String?

    @Flag(help: "Stop just before the target (recovery_target_inclusive = off).")
    var exclusive = false

    @Option(help: "Timeline to follow: a number, or latest (default).")
    var timeline: String = "latest"

    @Flag(name: .customLong("names-only"), help: "Look at file names only; do not read the segments.")
    var namesOnly = false

    @OptionGroup var output: ReportOptions
    @OptionGroup var reading: ReadingOptions

    func validate() throws {
      if sources.isEmpty && primary == nil && !(from.map(Syscalls.isDirectory) ?? false) {
        throw ValidationError("name a SOURCE, a --primary, or a data directory with --from")
      }
      if let to, LSN(to) == nil && to != "immediate" {
        throw ValidationError("--to takes an LSN such as 16/B374D848 or 'immediate', not '\(to)'")
      }
      if [to != nil, toTime != nil, toXID != nil, toName != nil].count { $0 } > 1 {
        throw ValidationError("give one target: --to, --to-time, --to-xid or --to-name")
      }
      if namesOnly && (to == "immediate" || toTime != nil || toXID != nil || toName != nil || exclusive) {
        throw ValidationError("a recovery target is found in the records: it cannot be combined with --names-only")
      }
      if let toTime, RecoveryTarget.parseTime(toTime) == nil {
        throw ValidationError("--to-time takes a time such as '2026-12-02 17:30:00+00' or '2026-12-02 18:30:00 Europe/Berlin', not '\(toTime)'")
      }
      if timeline != "latest" && UInt32(timeline).map({ $0 >= 1 }) != true {
        throw ValidationError("--timeline takes a timeline number or 'latest', not '\(timeline)'")
      }
      if startTimeline == 0 { throw ValidationError("--start-timeline must be at least 1") }
    }

    func run() throws {
      do {
        let analysis = GapAnalysis(
          sources: sources, start: try startPoint(), targetLSN: to.flatMap(LSN.init),
          timeline: UInt32(timeline).map { .timeline(TimelineID($0)) } ?? .latest,
          checksContent: !namesOnly, jobs: reading.workers, layout: reading.repositoryLayout, primary: primary,
          recoveryTarget: recoveryTarget, inclusive: !exclusive)
        let report = try analysis.run()
        if output.json {
          print(JSONOutput.encode(GapsJSON(report)))
        } else {
          print(GapsText.render(report, quiet: output.quiet), terminator: "")
        }
        if !report.continuous || report.hasProblems { throw ExitCode(ExitStatus.problemsFound) }
      } catch let failure as CouldNotFinish {
        if output.json {
          print(JSONOutput.encode(GapsJSON.failure(failure.message)))
        } else {
          printError("walkit gaps: \(failure.message)")
        }
        throw ExitCode(ExitStatus.couldNotFinish)
      } catch let failure as GapAnalysis.Failure {
        if failure.isUsageError {
          printError("walkit gaps: \(failure.description)")
          throw ExitCode(ExitStatus.usage)
        }
        if output.json {
          print(JSONOutput.encode(GapsJSON.failure(failure.description)))
        } else {
          printError("walkit gaps: \(failure.description)")
        }
        throw ExitCode(ExitStatus.couldNotFinish)
      }
    }

    struct CouldNotFinish: Error { var message: String }

    /// The target the options name, if any.
    var recoveryTarget: RecoveryTarget? {
      if let to { return to == "immediate" ? .immediate : LSN(to).map(RecoveryTarget.lsn) }
      if let toTime { return RecoveryTarget.parseTime(toTime).map(RecoveryTarget.time) }
      if let toXID { return .xid(toXID) }
      return toName.map(RecoveryTarget.name)
    }

    /// Reads `--from`: an LSN, a segment name, or a backup label file or directory.
    func startPoint() throws -> GapAnalysis.StartPoint {
      guard let from else { return .firstSegment }
      if let lsn = LSN(from) { return .lsn(lsn, timeline: TimelineID(startTimeline ?? 1)) }
      if from.utf8.count == 24, let name = SegmentName(fileName: from) { return .segment(name) }
      var path = from
      if Syscalls.isDirectory(from) {
        let control = (from.hasSuffix("/") ? from : from + "/") + "global/pg_control"
        if Syscalls.isRegularFile(control) {
          do { return .dataDirectory(try DataDirectory(path: from)) } catch {
            throw CouldNotFinish(message: "--from \(from): \(error.description)")
          }
        }
        path = (from.hasSuffix("/") ? from : from + "/") + "backup_label"
      }
      do {
        return .backup(try WALCatalog.backupLabel(at: path), origin: path)
      } catch {
        throw CouldNotFinish(message: "--from \(from): \(error.message)" + (Syscalls.isDirectory(from) ? " (a base backup directory holds a backup_label)" : ""))
      }
    }
  }
}
