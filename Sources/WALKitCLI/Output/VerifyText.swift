import WALKit

/// Text output of `walkit verify`: a table of segments, the problems, a summary.
enum VerifyText {
  static func render(_ report: VerificationReport, quiet: Bool) -> String {
    var out = quiet ? "" : repositoryLines(report.repositories)
    if !out.isEmpty { out += "\n" }
    if !quiet && !report.segments.isEmpty {
      var table = TextTable([
        ("SEGMENT", .left), ("VERSION", .left), ("STATUS", .left), ("RECORDS", .right),
        ("FIRST RECORD", .right), ("VALID THROUGH", .right), ("FILE", .left),
      ])
      for segment in report.segments {
        table.append([
          segment.name?.description ?? "?",
          segment.scan.version.map { "PG \($0.major)" } ?? "-",
          segment.status.rawValue + (segment.problems.isEmpty ? "" : " (\(segment.problems.count))"),
          String(segment.scan.recordCount),
          segment.scan.firstRecord?.description ?? "-",
          segment.scan.validThrough?.description ?? "-",
          segment.file.path,
        ])
      }
      out += table.render()
    }
    for (title, severity) in [("Problems", WALProblem.Severity.problem), ("Notes", .note)] {
      let findings = report.problems.filter { $0.severity == severity }
      guard !findings.isEmpty else { continue }
      if !out.isEmpty { out += "\n" }
      out += "\(title):\n"
      for problem in findings {
        out += "  \(problem)\n"
        if let file = problem.location.file, problem.location.segment != nil || problem.location.lsn != nil {
          out += "      file: \(file)\n"
        }
      }
    }
    if !quiet && !report.otherFiles.isEmpty {
      out += "\nOther files (not WAL segments): \(report.otherFiles.count)"
        + (report.checkedFiles.isEmpty ? "" : ", \(report.checkedFiles.count) timeline or backup history file\(report.checkedFiles.count == 1 ? "" : "s") read and well-formed")
        + "\n"
      for file in report.otherFiles.prefix(20) { out += "  \(file)\n" }
      if report.otherFiles.count > 20 { out += "  … and \(report.otherFiles.count - 20) more\n" }
    }
    if !out.isEmpty { out += "\n" }
    out += summary(report) + "\n"
    return out
  }

  static func summary(_ report: VerificationReport) -> String {
    // Counted and joined by hand: the first use of a dictionary keyed by a type, or of a
    // generic join, costs the Swift runtime a search of every conformance in the program,
    // which a run over one segment (an archive_command's check) notices.
    let statuses = SegmentStatus.allCases.compactMap { status in
      let count = report.segments.count { $0.status == status }
      return count == 0 ? nil : "\(count) \(status.rawValue)"
    }
    var text = "\(report.segments.count) segment\(report.segments.count == 1 ? "" : "s")"
    if !statuses.isEmpty { text += " (" + commaSeparated(statuses) + ")" }
    text += ", \(counted(report.recordCount, "record"))"
    let timelines = report.timelines
    if !timelines.isEmpty {
      text += ", timeline\(timelines.count == 1 ? "" : "s") " + commaSeparated(timelines.map(\.description))
    }
    let problems = report.problems.filter { $0.severity == .problem }
    let notes = report.problems.count - problems.count
    if problems.isEmpty {
      text += ": no problems"
    } else {
      let kinds = problems.reduce(into: [String: Int]()) { $0[$1.kind.rawValue, default: 0] += 1 }
      text += ": \(counted(problems.count, "problem")) ("
        + kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") + ")"
    }
    return text + (notes > 0 ? ", \(counted(notes, "note"))." : ".")
  }

  private static func commaSeparated(_ parts: [String]) -> String {
    var text = ""
    var first = true
    for part in parts {
      text += first ? part : ", " + part
      first = false
    }
    return text
  }
}
