import WALCore
import WALIO

/// Everything `Verifier` found: one report per segment file, in timeline and segment order,
/// and every problem.
public struct VerificationReport: Sendable {
  public var segments: [SegmentReport]
  /// Problems not tied to a file that was read (entries that are not files, missing segments),
  /// plus every segment's problems: all of them, in order.
  public var problems: [WALProblem]
  /// Files that are not segments (history, backup history and others): listed; timeline
  /// histories are read for the switch points and ancestry they record.
  public var otherFiles: [String]
  /// Timeline history and backup history files read and found well-formed.
  public var checkedFiles: [String] = []
  /// Each directory named, with the layout found in it.
  public var repositories: [Repository]

  /// Judges `scans` (one per file of `inputs`, in order) as a set.
  /// - Parameter checksHistories: report a timeline without its history file (a reader that
  ///   lists records, as `inspect`, does not need one).
  init(inputs: WALInputs, scans: [SegmentScan], checksHistories: Bool = true) {
    self.init(inputs: inputs, reports: zip(inputs.files, scans).map(SegmentReport.init), checksHistories: checksHistories)
  }

  /// Judges `reports` (one per file of `inputs`, in order, each as its scan left it) as a set.
  init(inputs: WALInputs, reports: [SegmentReport], checksHistories: Bool = true) {
    var histories: [TimelineID: TimelineHistory] = [:]
    var historyFiles: [TimelineID: String] = [:]
    var historyProblems: [WALProblem] = []
    WALCatalog.readHistories(inputs.otherFiles, into: &histories, files: &historyFiles, problems: &historyProblems)
    checkedFiles = historyFiles.filter { histories[$0.key] != nil }.map(\.value)
    for path in inputs.otherFiles {
      guard case .backupHistory(let compression) = WALFile.classify(fileName: FilePaths.baseName(path)) else { continue }
      do {
        _ = try WALCatalog.backupLabel(at: path, named: compression)
        checkedFiles.append(path)
      } catch {
        historyProblems.append(error)
      }
    }
    checkedFiles.sort()
    // A file gone when it came to be read is judged as if never listed.
    let present = reports.indices.filter { reports[$0].scan.stopProblem?.kind != .removedWhileRead }
    let removed = reports.filter { $0.scan.stopProblem?.kind == .removedWhileRead }
    var assessment = SetAssessment(files: present.map { inputs.files[$0] }, reports: present.map { reports[$0] }, histories: histories,
                                   historyFiles: historyFiles, checksMissingHistories: checksHistories,
                                   removedWhileRead: Set(removed.filter(\.file.isInLiveDirectory).compactMap(\.name)))
    assessment.run()
    segments = assessment.reports
    problems = inputs.problems + historyProblems + assessment.orderedProblems() + Self.removedNote(removed)
    otherFiles = inputs.otherFiles
    repositories = inputs.repositories
  }

  /// One note for the files gone when they came to be read.
  private static func removedNote(_ removed: [SegmentReport]) -> [WALProblem] {
    guard let first = removed.first, let problem = first.scan.stopProblem else { return [] }
    guard removed.count > 1 else { return [problem] }
    let names = removed.map { $0.name?.description ?? FilePaths.baseName($0.file.path) }
    var note = problem
    note.message = "\(removed.count) files, \(names.first!) to \(names.last!), gone since they were listed (removed or renamed): not read"
    return [note]
  }

  /// True when nothing is wrong: no finding of severity problem (notes may remain).
  public var isClean: Bool { !problems.contains { $0.severity == .problem } }

  /// Records in all segments.
  public var recordCount: Int { segments.reduce(0) { $0 + $1.scan.recordCount } }

  /// Timelines present, in order.
  public var timelines: [TimelineID] {
    Array(Set(segments.compactMap { $0.name?.timeline })).sorted()
  }

  /// The segment count per status.
  public var statusCounts: [SegmentStatus: Int] {
    segments.reduce(into: [:]) { $0[$1.status, default: 0] += 1 }
  }
}
