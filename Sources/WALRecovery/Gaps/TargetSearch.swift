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
  /// The start is a base backup's: consistency waits for its end-of-backup record when its end
  /// is not known from a `.backup` file.
  let waitsForBackupEnd: Bool

  /// The stop on `steps` (a checked path), among records that start before `limit` (where replay
  /// stops anyway); `nil` when the target is not met there.
  func stop(on steps: [GapReport.Step], before limit: LSN) -> RecoveryStop? {
    let files = steps.filter { $0.status == .ok || $0.status == .present }.compactMap(\.step.file)
    var byName: [SegmentName: WALFile] = [:]
    for file in files { if let name = file.name { byName[name] = file } }
    let scanner = SegmentScanner()
    // A backup is consistent once its end-of-backup record is replayed, or replay passes the
    // end its .backup file gives; a standby once it passes its minimum recovery point.
    var sawBackupEnd = false
    var lastEnd = start.lsn
    var found: RecoveryStop?
    for (index, file) in files.enumerated() where found == nil {
      _ = SegmentLookup.scan(file, with: scanner, following: { name in
        byName[name].flatMap { SegmentData.loadFollowing(path: $0.path, named: $0.compressionByName) }
      }, from: index == 0 ? start.lsn : nil) { record in
        guard found == nil, record.lsn >= start.lsn, record.lsn < limit else { return }
        let consistent: Bool
        if let point = start.backupEnd {
          consistent = lastEnd >= point
        } else {
          consistent = !waitsForBackupEnd || sawBackupEnd
        }
        if let stop = target.stop(at: record, previousEnd: lastEnd, inclusive: inclusive, consistent: consistent) {
          found = stop
          return
        }
        if record.header.resourceManagerID == 0, record.header.info & 0xF0 == 0x50,
          record.mainBytes.u64(0).map({ LSN($0) == start.lsn }) == true
        {
          sawBackupEnd = true
        }
        lastEnd = record.end.maxAligned
      }
    }
    return found
  }
}
