import WALKit

/// Text output of `walkit gaps`: the verdict first, then the facts behind it.
enum GapsText {
  static func render(_ report: GapReport, quiet: Bool) -> String {
    var out = verdict(report) + "\n"
    if !quiet {
      out += "\n"
      var table = TextTable([("", .left), ("", .left)])
      var start = "\(report.start.lsn) on timeline \(report.start.timeline) (\(report.start.origin))"
      if let end = report.start.backupEnd {
        let what = report.start.dataDirectory.map { $0.backupLabel == nil } == true ? "consistent from" : "backup ends at"
        start += "; \(what) \(end): " + (report.reachesConsistency == true ? "reached, a standby becomes consistent" : "NOT reached, a standby never becomes consistent")
      }
      table.append(["Start", start])
      if let directory = report.start.dataDirectory {
        table.append(["", directory.reason])
        table.append(["", "system identifier \(directory.control.systemIdentifier), \(directory.control.state.description), "
                        + "wal_level \(directory.control.walLevelName)"])
      }
      var target = "timeline \(report.targetTimeline)"
      if report.newestTimeline != report.targetTimeline { target += " (the WAL goes on to timeline \(report.newestTimeline))" }
      target += report.targetLSN.map { ", LSN \($0)" } ?? ", the end of WAL" + (report.endOfWAL.map { " at \($0)" } ?? "")
      table.append(["Target", target])
      if let (recoveryTarget, inclusive) = report.recoveryTarget {
        table.append(["", GapAnalysis.describe(recoveryTarget) + (inclusive ? "" : ", exclusive")])
      }
      if let stop = report.recoveryStop {
        table.append(["Stops", "\(stop.message): record \(stop.lsn) (\(stop.typeName)), replayed through \(stop.replayedThrough)"])
      }
      table.append(["Reachable", "\(report.reachableLSN)" + (report.checkedContent ? "" : " (by file names only)")])
      for (index, source) in report.sources.enumerated() {
        var described = source.path + (source.isLive ? " (pg_wal)" : "")
        if let repository = source.repository, repository.layout != .flat { described += " (\(repository.summary))" }
        table.append([index == 0 ? "Sources" : "", described])
      }
      out += table.render().split(separator: "\n").dropFirst().map { String($0) + "\n" }.joined()
      let segments = report.path.reduce(UInt64(0)) { $0 &+ $1.step.count }
      out += "\nPath (\(segments) segment\(segments == 1 ? "" : "s")):\n"
      var pathTable = TextTable([("TIMELINE", .right), ("FIRST", .left), ("LAST", .left), ("SEGMENTS", .right),
                                 ("STATUS", .left), ("SOURCE", .left)])
      for run in runs(report.path) {
        pathTable.append([String(run.timeline.rawValue), run.first.description, run.last.description, String(run.count),
                          run.status.rawValue, run.source ?? "-"])
      }
      out += pathTable.render().split(separator: "\n").map { "  " + $0 + "\n" }.joined()
    }
    if let catchUp = report.catchUp { out += catchUpText(catchUp, report: report) }
    if !report.missingRanges.isEmpty {
      out += "\nMissing:\n"
      for range in report.missingRanges {
        out += range.count == 1
          ? "  \(range.first)\n"
          : "  \(range.first) to \(range.last) (\(range.count) segments, \(WALGeometry.formatSize(range.bytes)))\n"
      }
    }
    for (title, severity) in [("Problems", WALProblem.Severity.problem), ("Notes", .note)] {
      let findings = report.problems.filter { $0.severity == severity }
      guard !findings.isEmpty else { continue }
      out += "\n\(title):\n"
      for problem in findings { out += "  \(problem)\n" }
    }
    return out
  }

  static func verdict(_ report: GapReport) -> String {
    let from = "a standby starting at \(report.start.lsn) on timeline \(report.start.timeline)"
    if report.continuous {
      let goal = report.recoveryStop.map { "where recovery stops \($0.before ? "before" : "after") the target's \($0.typeName) at \($0.lsn)" }
        ?? report.targetLSN.map { "the target \($0)" } ?? "the end of WAL"
      let problems = report.problems.count { $0.severity == .problem }
      return "CONTINUOUS: \(from) can replay to \(report.reachableLSN) on timeline \(report.targetTimeline), \(goal)."
        + (problems > 0 ? " Replay is not stopped, but \(counted(problems, "problem")) \(problems == 1 ? "was" : "were") found (below)." : "")
    }
    let why = report.blockingProblem.map { "\($0.kind.rawValue)" + ($0.location.segment.map { " \($0)" } ?? "") + ": \($0.message)" } ?? "unknown"
    return "NOT CONTINUOUS: \(from) stops at \(report.reachableLSN). \(why)"
  }

  /// The answer for a standby and its primary: the verdict, what only the archive has, the
  /// slots, and how much WAL there is to replay.
  static func catchUpText(_ catchUp: CatchUp, report: GapReport) -> String {
    var out = "\nCatch-up from the primary \(catchUp.primary): \(catchUp.verdict.rawValue.uppercased())\n"
    switch catchUp.verdict {
    case .streams: out += "  the primary's pg_wal still has every segment from the start\n"
    case .restoresThenStreams:
      for range in catchUp.archiveOnly {
        out += range.count == 1 ? "  only the archive has \(range.first)\n"
          : "  only the archive has \(range.first) to \(range.last) (\(range.count) segments)\n"
      }
    case .cannotCatchUp:
      out += report.missingRanges.isEmpty
        ? "  replay stops at \(report.reachableLSN) (the first problem, below)\n"
        : "  segments are in no source (Missing, below): take a new base backup\n"
    }
    out += "  WAL to replay: \(catchUp.bytesToReplay) bytes in \(counted(Int(catchUp.segmentsToReplay), "segment"))\n"
    if catchUp.slots.isEmpty {
      out += "  replication slots: none\n"
    }
    for slot in catchUp.slots {
      let restart = slot.restartLSN.map { "restart_lsn \($0)" } ?? "never used"
      out += "  slot \(slot.name) (\(slot.isPhysical ? "physical" : "logical")), \(restart)"
        + (slot.name == catchUp.holdingSlot?.name ? ": keeps the WAL this standby needs\n" : "\n")
    }
    for failure in catchUp.slotFailures { out += "  slot not read: \(failure)\n" }
    if catchUp.holdingSlot == nil && !catchUp.slots.isEmpty {
      out += "  no physical slot keeps WAL from the standby's start\n"
    }
    return out
  }

  struct Run {
    var timeline: TimelineID
    var first: SegmentName
    var last: SegmentName
    var count: UInt64
    var status: GapReport.StepStatus
    var source: String?
  }

  /// Consecutive path steps with the same timeline, status and source, as one row.
  static func runs(_ steps: [GapReport.Step]) -> [Run] {
    var runs: [Run] = []
    for step in steps {
      if var run = runs.last, run.timeline == step.step.name.timeline, run.status == step.status, run.source == step.source {
        run.last = step.step.lastName
        run.count += step.step.count
        runs[runs.count - 1] = run
      } else {
        runs.append(Run(timeline: step.step.name.timeline, first: step.step.name, last: step.step.lastName, count: step.step.count,
                        status: step.status, source: step.source))
      }
    }
    return runs
  }
}
