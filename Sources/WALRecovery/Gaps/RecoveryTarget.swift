import WALCore
import WALIO
import WALReader
import WALDescriptions

/// Where a point-in-time recovery is to stop (`recovery_target_*`), checked on records as
/// PostgreSQL's `recoveryStopsBefore` and `recoveryStopsAfter` check it.
public enum RecoveryTarget: Sendable, Equatable {
  /// `recovery_target_lsn`: the first record that starts at or after it.
  case lsn(LSN)
  /// `recovery_target_time`, a PostgreSQL `TimestampTz` (microseconds since 2000-01-01 UTC):
  /// checked on transaction commits and aborts only.
  case time(Int64)
  /// `recovery_target_xid`: the commit or abort of that transaction.
  case xid(UInt32)
  /// `recovery_target_name`: the first restore point of that name; always stops after it.
  case name(String)
  /// `recovery_target = 'immediate'`: as soon as replay is consistent.
  case immediate
}

/// Where recovery stops for a target: the record it stops before or after.
public struct RecoveryStop: Sendable {
  /// The record recovery stops at, and where it ends.
  public var lsn: LSN
  public var end: LSN
  /// True when recovery stops before the record (does not replay it).
  public var before: Bool
  public var typeName: String
  /// The transaction and time of a commit or abort (or the time of a restore point).
  public var xid: UInt32?
  public var time: Int64?
  /// PostgreSQL's log line for the stop, as it writes it (`recovery stopping before commit of
  /// transaction 745, time 2026-12-02 17:30:01.123456+00`).
  public var message: String

  /// Where replay ends, as `pg_last_wal_replay_lsn()` reports it: the (8-byte aligned) end of
  /// the record before this one when stopping before it, this one's when after.
  public var replayedThrough: LSN
  /// Whether replay is consistent at the stop; PostgreSQL refuses a stop before that.
  public var consistent = true

  init(_ record: WALRecord, before: Bool, message: String, xid: UInt32?, time: Int64?, replayedThrough: LSN) {
    lsn = record.lsn
    end = record.end
    self.before = before
    typeName = record.resourceManager.name + "/" + record.typeName
    self.xid = xid
    self.time = time
    self.message = message
    self.replayedThrough = replayedThrough
  }

  func marked(consistent: Bool) -> RecoveryStop {
    var stop = self
    stop.consistent = consistent
    return stop
  }
}

extension WALRecord {
  /// `XLOG/RESTORE_POINT`.
  var isRestorePoint: Bool { header.resourceManagerID == ResourceManagerIDs.xlog && header.info & 0xF0 == 0x70 }

  /// The `XLOG/BACKUP_END` record of the backup that started at `backupStart`.
  func isBackupEnd(of backupStart: LSN) -> Bool {
    header.resourceManagerID == ResourceManagerIDs.xlog && header.info & 0xF0 == 0x50
      && mainBytes.u64(0).map { LSN($0) } == backupStart
  }
}

extension RecoveryTarget {
  /// The stop PostgreSQL's `recoveryStopsBefore` makes at `record`, before replaying it:
  /// `previousEnd` is where the record replayed before it ends, `consistent` whether replay was
  /// consistent then, `isFirst` whether it is the first record replayed.
  func stopBefore(_ record: WALRecord, previousEnd: LSN, inclusive: Bool, consistent: Bool, isFirst: Bool) -> RecoveryStop? {
    let stop = { (message: String, xid: UInt32?, time: Int64?) in
      RecoveryStop(record, before: true, message: message, xid: xid, time: time, replayedThrough: previousEnd)
    }
    switch self {
    case .immediate:
      return isFirst && consistent ? stop("recovery stopping after reaching consistency", nil, nil) : nil
    case .lsn(let target):
      // PostgreSQL names the record it stops at (its start), not the target.
      guard !inclusive, record.lsn >= target else { return nil }
      return stop("recovery stopping before WAL location (LSN) \"\(record.lsn)\"", nil, nil)
    case .xid(let target):
      guard !inclusive, let end = TransactionEnd(record), end.xid == target else { return nil }
      return stop(Self.completionMessage(end, before: true), end.xid, end.time)
    case .time(let target):
      guard let end = TransactionEnd(record), inclusive ? end.time > target : end.time >= target else { return nil }
      return stop(Self.completionMessage(end, before: true), end.xid, end.time)
    case .name: return nil
    }
  }

  /// The stop PostgreSQL's `recoveryStopsAfter` makes at `record`, once it is replayed:
  /// `consistent` whether replay is consistent now, `wasConsistent` whether it was before.
  func stopAfter(_ record: WALRecord, inclusive: Bool, consistent: Bool, wasConsistent: Bool) -> RecoveryStop? {
    let stop = { (message: String, xid: UInt32?, time: Int64?) in
      RecoveryStop(record, before: false, message: message, xid: xid, time: time, replayedThrough: record.end.maxAligned)
    }
    switch self {
    case .immediate:
      return consistent && !wasConsistent ? stop("recovery stopping after reaching consistency", nil, nil) : nil
    case .lsn(let target):
      guard inclusive, record.lsn >= target else { return nil }
      return stop("recovery stopping after WAL location (LSN) \"\(record.lsn)\"", nil, nil)
    case .name(let target):
      guard record.isRestorePoint, let time = record.mainBytes.i64(0), record.mainBytes.count > 8,
        record.mainBytes.cString(from: 8) == target
      else { return nil }
      return stop("recovery stopping at restore point \"\(target)\", time \(Self.serverTime(time))", nil, time)
    case .xid(let target):
      guard inclusive, let end = TransactionEnd(record), end.xid == target else { return nil }
      return stop(Self.completionMessage(end, before: false), end.xid, end.time)
    case .time: return nil
    }
  }

  /// A time as the server writes it in its log with `log_timezone = UTC`: trailing zeros of
  /// the fraction dropped (`17:53:46.96613+00`, `17:53:46+00`).
  public static func serverTime(_ time: Int64) -> String {
    var text = Substring(TimestampText.timestampInUTC(time))
    guard text.hasSuffix(" UTC") else { return String(text) }
    text = text.dropLast(4)
    if text.contains(".") {
      while text.hasSuffix("0") { text = text.dropLast() }
      if text.hasSuffix(".") { text = text.dropLast() }
    }
    return text + "+00"
  }

  static func completionMessage(_ end: TransactionEnd, before: Bool) -> String {
    "recovery stopping \(before ? "before" : "after") \(end.isCommit ? "commit" : "abort") of transaction \(end.xid), "
      + "time \(serverTime(end.time))"
  }
}
