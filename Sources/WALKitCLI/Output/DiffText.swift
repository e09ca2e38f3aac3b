import WALKit

/// Text output of `walkit diff`: the verdict, the segments by category, the divergence.
enum DiffText {
  static func render(_ report: ComparisonReport, summaryOnly: Bool) -> String {
    var out = verdict(report) + "\n"
    if summaryOnly { return out }
    out += "\nA  \(report.sideA)\nB  \(report.sideB)\n"
    if !report.segments.isEmpty {
      out += "\n"
      var table = TextTable([("SEGMENT A", .left), ("SEGMENT B", .left), ("RESULT", .left), ("DETAIL", .left)])
      for segment in report.segments {
        table.append([fileName(segment.fileA), fileName(segment.fileB), segment.result.rawValue, segment.note])
      }
      out += table.render()
    }
    if let divergence = report.divergence {
      out += "\n" + (divergence.beforeSharedWAL == nil ? "Divergence" : "First difference") + " at \(divergence.lsn)"
      if let offset = divergence.firstDifferentOffset { out += " (first different byte at offset \(offset) of the segment)" }
      out += ":\n"
      out += "  A  " + describe(divergence.recordA, timeline: divergence.timelineA, continued: divergence.differsInContinuationA) + "\n"
      out += "  B  " + describe(divergence.recordB, timeline: divergence.timelineB, continued: divergence.differsInContinuationB) + "\n"
      for (side, beyond) in [("A", divergence.beyondA), ("B", divergence.beyondB)] {
        guard let beyond, beyond.records > 0 else { continue }
        out += "  \(side) from there on: \(amount(beyond))\n"
      }
    }
    return out
  }

  static func verdict(_ report: ComparisonReport) -> String {
    if report.isSameWAL {
      let identical = report.segments.count { $0.result == .identical }
      let count = "\(report.segments.count) segment\(report.segments.count == 1 ? "" : "s")"
      if identical == report.segments.count { return "SAME WAL: \(count), all byte for byte identical." }
      return "SAME WAL: \(count), \(identical) byte for byte identical, \(report.segments.count - identical) the same records up to where one side's WAL ends."
    }
    var parts: [String] = []
    if report.isOfDifferentSystems, let a = report.systemIdentifierA, let b = report.systemIdentifierB {
      parts.append("A and B are WAL of different database systems (system identifier \(a) in A, \(b) in B)")
    }
    for (side, missing) in [("A", report.missingInA), ("B", report.missingInB)] where !missing.isEmpty {
      parts.append("\(side) lacks \(missing.count == 1 ? "segment" : "segments") " + missing.map { DiffJSON.name($0) }.joined(separator: ", ")
                   + " between segments it has")
    }
    for damaged in report.damaged {
      parts.append("damaged: \(DiffJSON.name(damaged)): \(damaged.note)")
    }
    if let divergence = report.divergence, let before = divergence.switchPointBeforeRange {
      var text = "the range starts past \(before), the recorded switch point where the WAL histories part"
      if let a = divergence.timelineA, let b = divergence.timelineB { text += " (timeline \(a) in A, timeline \(b) in B)" }
      parts.append(text + "; inside the range they first differ at \(divergence.lsn)")
    } else if let divergence = report.divergence, let shared = divergence.beforeSharedWAL {
      parts.append(partingBefore(shared, divergence))
    } else if let divergence = report.divergence {
      var text = "the WAL histories diverge at \(divergence.lsn)"
      if let a = divergence.timelineA, let b = divergence.timelineB, a != b { text += " (timeline \(a) in A, timeline \(b) in B)" }
      switch divergence.isSwitchPoint {
      case true?:
        if let point = divergence.switchPoint, point != divergence.lsn {
          text += ", the first record past the recorded switch point \(point): a promotion"
        } else {
          text += ", the recorded switch point: a promotion"
        }
        if let older = olderSide(divergence), let beyond = older.beyond, beyond.records > 0 {
          text += "; \(older.side) went on past it on its old timeline: \(amount(beyond)) that the other side does not have (what pg_rewind would undo)"
        }
      case false?:
        text += ", which is not a recorded switch point" + (divergence.switchPoint.map { " (the last switch point before it is \($0))" } ?? "")
          + ": split brain or foreign WAL"
      case nil:
        break
      }
      parts.append(text)
    }
    let differing = report.differing.count, onlyA = report.onlyInA.count, onlyB = report.onlyInB.count
    if differing > 0 { parts.append(differing == 1 ? "1 segment differs" : "\(differing) segments differ") }
    if onlyA > 0 { parts.append("\(onlyA) only in A") }
    if onlyB > 0 { parts.append("\(onlyB) only in B") }
    return "DIFFERENT: " + parts.joined(separator: "; ") + "."
  }

  /// The verdict when the sides differ from the first WAL both hold: their histories part
  /// before it, at a recorded switch point or unknown.
  static func partingBefore(_ shared: LSN, _ divergence: ComparisonReport.Divergence) -> String {
    let timelines = divergence.timelineA.flatMap { a in divergence.timelineB.map { b in a != b ? " (timeline \(a) in A, timeline \(b) in B)" : "" } } ?? ""
    let place = divergence.differsInContinuationA && divergence.differsInContinuationB
      ? "inside the record continued into that segment" : "the first WAL both hold"
    let evidence = "neither side holds the WAL before \(shared), and they already differ at \(divergence.lsn), \(place)"
    guard divergence.isSwitchPoint == true, let switchPoint = divergence.switchPoint else {
      var text = "the WAL histories part before \(shared)\(timelines): \(evidence)"
      if divergence.isSwitchPoint == false {
        text += "; no recorded switch point explains it" + (divergence.switchPoint.map { " (the last switch point before it is \($0))" } ?? "")
          + ": split brain or foreign WAL"
      }
      return text
    }
    var text = "the WAL histories part at \(switchPoint), the recorded switch point\(timelines): a promotion; \(evidence)"
    if let older = olderSide(divergence), let beyond = older.beyond, beyond.records > 0 {
      text += "; \(older.side) kept writing on its old timeline (what pg_rewind would undo): from \(divergence.lsn) on, \(amount(beyond)), besides what lies before it in WAL neither side holds"
    }
    return text
  }

  static func olderSide(_ divergence: ComparisonReport.Divergence) -> (side: String, beyond: ComparisonReport.Beyond?)? {
    guard let a = divergence.timelineA, let b = divergence.timelineB, a != b else { return nil }
    return a < b ? ("A", divergence.beyondA) : ("B", divergence.beyondB)
  }

  static func amount(_ beyond: ComparisonReport.Beyond) -> String {
    "\(counted(beyond.bytes, "byte")), \(counted(beyond.records, "record")), \(counted(beyond.commits, "commit")) (\(counted(beyond.transactions, "transaction id"))), up to \(beyond.end)"
  }

  static func describe(_ record: RecordSummary?, timeline: TimelineID?, continued: Bool) -> String {
    guard let record else {
      return continued ? "(inside the record continued from the previous segment)" : "(no record: this side's WAL ends here)"
    }
    let rmgr = record.resourceManager.name + "/" + record.typeName
    return "\(rmgr)  lsn \(record.lsn)  prev \(record.previous)  tx \(record.xid)  len (rec/tot) \(record.totalLength - record.fullPageImageLength)/\(record.totalLength)"
      + (timeline.map { "  timeline \($0)" } ?? "")
  }

  static func fileName(_ file: WALFile?) -> String {
    guard let file else { return "-" }
    return String(file.path.split(separator: "/").last ?? Substring(file.path))
  }
}
