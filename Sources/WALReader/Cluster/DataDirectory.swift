import WALCore
import WALIO

/// A PostgreSQL data directory, read as its startup reads it: what it is (a base backup, a
/// standby, a primary stopped cleanly or not) and so where replay starts, on which timeline,
/// and from where on a standby is consistent.
public struct DataDirectory: Sendable {
  public enum Kind: String, Sendable {
    /// `backup_label` is present: recovery starts from the label, whatever `pg_control` says.
    case baseBackup = "base backup"
    /// `standby.signal` or `recovery.signal` (`recovery.conf` before 12), or a control file in
    /// archive recovery.
    case standby
    /// Shut down cleanly: its own WAL needs no replay.
    case stoppedPrimary = "cleanly stopped primary"
    /// Running, or stopped without a shutdown checkpoint: crash recovery replays from the last
    /// checkpoint's redo point.
    case primary = "running or crashed primary"
  }

  public var path: String
  public var control: ControlFile
  public var backupLabel: BackupLabel?
  public var kind: Kind
  /// Where replay starts, and on which timeline.
  public var start: LSN
  public var timeline: TimelineID
  /// Where replay must get before the server is consistent (a standby's minimum recovery point,
  /// a restored backup's end); `nil` when it is consistent from the start or the point is not
  /// recorded here (a base backup's end is in its `.backup` file).
  public var consistentAt: LSN?
  /// Why the start point is what it is, in a sentence.
  public var reason: String

  /// Reads `global/pg_control`, `backup_label` and the recovery signal files of `path`.
  public init(path: String) throws(ControlFile.Failure) {
    self.path = path
    control = try ControlFile.read(dataDirectory: path)
    let labelPath = FilePaths.join(path, "backup_label")
    if Syscalls.isRegularFile(labelPath) {
      let label: BackupLabel
      do { label = try WALCatalog.backupLabel(at: labelPath) } catch {
        throw ControlFile.Failure(path: labelPath, reason: error.message)
      }
      backupLabel = label
      kind = .baseBackup
      start = label.startLSN
      timeline = label.startTimeline
      consistentAt = nil
      reason = "backup_label is present, so recovery starts at its START WAL LOCATION \(label.startLSN) on timeline "
        + "\(label.startTimeline), whatever pg_control says; consistent at the backup's end"
      return
    }
    backupLabel = nil
    start = control.redo
    timeline = control.checkpointTimeline
    let signal = ["standby.signal", "recovery.signal", "recovery.conf"].first { Syscalls.isRegularFile(FilePaths.join(path, $0)) }
    let inRecovery = control.state == .inArchiveRecovery || control.state == .shutDownInRecovery
    let checkpoint = "the last checkpoint's redo point \(control.redo) on timeline \(control.checkpointTimeline)"
    if signal != nil || inRecovery {
      kind = .standby
      let pending = control.backupEndRequired || control.backupStart != .invalid
      if pending {
        consistentAt = control.backupEnd != .invalid ? control.backupEnd : nil
      } else {
        consistentAt = control.minRecoveryPoint > control.redo ? control.minRecoveryPoint : nil
      }
      reason = "a standby (\(signal ?? "pg_control: \(control.state.description)")): replay resumes at \(checkpoint)"
        + (pending
          ? "; it was restored from a backup whose end it has not replayed"
            + (control.backupEnd != .invalid ? ", at \(control.backupEnd)" : " (its end-of-backup record)")
          : consistentAt.map { "; consistent once replay passes minRecoveryPoint \($0)" } ?? "")
    } else if control.state == .shutDown {
      kind = .stoppedPrimary
      consistentAt = nil
      reason = "shut down cleanly at checkpoint \(control.checkpoint): a standby made from it, or the server itself, "
        + "starts at \(checkpoint)"
    } else {
      kind = .primary
      consistentAt = nil
      reason = "pg_control says \(control.state.description): crash recovery replays from \(checkpoint)"
    }
  }
}
