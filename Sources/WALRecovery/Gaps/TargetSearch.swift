import WALCore
import WALIO
import WALReader
import WALDescriptions

/// Reads the records of a recovery path in order, as replay would, until a recovery target
/// stops it.
struct TargetSearch {
  let target: RecoveryTarget
  let inclusive: Bool
  let start: GapReport.Start
  /// The start of a base backup whose end-of-backup record replay must replay before it is
  /// consistent (beside reaching `start.backupEnd`, the consistency point, when known).
  let backupStartToAwait: LSN?

  /// The stop on `steps` (a checked path), among records that start before `limit` (where replay
  /// stops anyway); `nil` when the target is not met there.
  func stop(on steps: [GapReport.Step], before limit: LSN) -> RecoveryStop? {
    let files = steps.filter { $0.status == .ok || $0.status == .present }.compactMap(\.step.file)
    var byName: [SegmentName: WALFile] = [:]
    for file in files { if let name = file.name { byName[name] = file } }
    let scanner = SegmentScanner()
    // Consistent once replay has passed the consistency point (a backup's end, a standby's
    // minimum recovery point) and replayed the end-of-backup record of a backup it waits for,
    // as PostgreSQL's CheckRecoveryConsistency decides after each record.
    var awaitingBackupEnd = backupStartToAwait != nil
    var lastEnd = start.lsn
    func isConsistent() -> Bool { !awaitingBackupEnd && lastEnd >= (start.backupEnd ?? .invalid) }
    var found: RecoveryStop?
    var first = true
    for (index, file) in files.enumerated() where found == nil {
      _ = SegmentLookup.scan(file, with: scanner, following: { name throws(WALProblem) in
        guard let next = byName[name] else { return nil }
        return try SegmentData.loadFollowing(path: next.path, named: next.compressionByName)
      }, from: index == 0 ? start.lsn : nil) { record in
        guard found == nil, record.lsn >= start.lsn, record.lsn < limit else { return }
        // Checked before the first record only: after any record, reaching consistency stops
        // recovery after that record (recoveryStopsAfter).
        let consistentBefore = isConsistent()
        if let stop = target.stopBefore(record, previousEnd: lastEnd, inclusive: inclusive,
                                         consistent: consistentBefore, isFirst: first) {
          found = stop.marked(consistent: consistentBefore)
          return
        }
        first = false
        if let backupStart = backupStartToAwait, record.isBackupEnd(of: backupStart) { awaitingBackupEnd = false }
        lastEnd = record.end.maxAligned
        if let stop = target.stopAfter(record, inclusive: inclusive, consistent: isConsistent(), wasConsistent: consistentBefore) {
          found = stop.marked(consistent: isConsistent())
        }
      }
    }
    return found
  }
}
