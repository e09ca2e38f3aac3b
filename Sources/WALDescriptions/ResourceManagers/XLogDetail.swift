import WALCore

/// XLOG records: checkpoints, settings, restore points, switches and the like. 12 made the
/// checkpoint's next xid 64-bit and logged max_wal_senders; 17 prints wal_level.
enum XLogDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let major = record.version.major
    switch record.header.info & 0xF0 {
    case 0x00, 0x10:  // CHECKPOINT_SHUTDOWN, CHECKPOINT_ONLINE
      return checkpoint(data, major: major, shutdown: record.header.info & 0xF0 == 0x00)
    case 0x20, 0x40, 0xA0, 0xB0, 0xC0:  // NOOP, SWITCH, FPI_FOR_HINT, FPI, FPI_MULTI: nothing to add
      return ""
    case 0x30:  // NEXTOID
      return u32(data, 0).map { "\($0)" }
    case 0x50:  // BACKUP_END
      return u64(data, 0).map { "\(LSN($0))" }
    case 0x60:  // PARAMETER_CHANGE
      return parameters(data, major: major)
    case 0x70:  // RESTORE_POINT: TimestampTz, then the name
      guard data.count > 8 else { return nil }
      return data.cString(from: 8)
    case 0x80:  // FPW_CHANGE
      return data.flag(0).map { $0 ? "true" : "false" }
    case 0x90:  // END_OF_RECOVERY: end_time, this TLI, prev TLI (, wal_level from 17)
      guard let time = i64(data, 0), let this = u32(data, 8), let previous = u32(data, 12) else { return nil }
      var text = "tli \(this); prev tli \(previous); time \(TimestampText.timestamp(time))"
      if major >= 17 {
        guard let level = i32(data, 16) else { return nil }
        text += "; wal_level \(walLevel(level))"
      }
      return text
    case 0xD0:  // OVERWRITE_CONTRECORD: overwritten_lsn, overwrite_time
      guard let lsn = u64(data, 0), let time = i64(data, 8) else { return nil }
      return "lsn \(LSN(lsn)); time \(TimestampText.timestamp(time))"
    case 0xE0 where major >= 17:  // CHECKPOINT_REDO
      return i32(data, 0).map { "wal_level \(walLevel($0))" }
    default:
      return nil
    }
  }

  /// `CheckPoint`. Before 12 the next xid is an epoch and an xid, and every later field sits
  /// four bytes earlier.
  static func checkpoint(_ data: RecordBytes, major: Int, shutdown: Bool) -> String? {
    guard let redo = u64(data, 0), let fullPageWrites = data.flag(16),
      let words = data.u32s(at: 0, count: major >= 12 ? 21 : 19)
    else { return nil }
    let u = { (offset: Int) in words[offset / 4] }
    let shift = major >= 12 ? 0 : -4
    let field = { (offset: Int) in u(offset + shift) }
    var text = "redo \(LSN(redo)); tli \(u(8)); prev tli \(u(12)); fpw \(fullPageWrites ? "true" : "false"); "
    if major >= 17 { text += "wal_level \(walLevel(Int32(bitPattern: u(20)))); " }
    text += major >= 12 ? "xid \(u(28)):\(u(24)); " : "xid \(u(20)):\(u(24)); "
    let commitTimestamps = major >= 12 ? (72, 76, 80) : (64, 68, 72)
    text += "oid \(field(32)); multi \(field(36)); offset \(field(40)); "
      + "oldest xid \(field(44)) in DB \(field(48)); oldest multi \(field(52)) in DB \(field(56)); "
      + "oldest/newest commit timestamp xid: \(u(commitTimestamps.0))/\(u(commitTimestamps.1)); "
      + "oldest running xid \(u(commitTimestamps.2)); " + (shutdown ? "shutdown" : "online")
    return text
  }

  /// `xl_parameter_change`; max_wal_senders from 12.
  static func parameters(_ data: RecordBytes, major: Int) -> String? {
    let senders = major >= 12
    let count = senders ? 6 : 5
    guard let words = data.u32s(at: 0, count: count), let hints = data.flag(4 * count),
      let timestamps = data.flag(4 * count + 1)
    else { return nil }
    let values = words.map { Int32(bitPattern: $0) }
    var text = "max_connections=\(values[0]) max_worker_processes=\(values[1]) "
    if senders { text += "max_wal_senders=\(values[2]) " }
    let rest = values.suffix(3)
    return text + "max_prepared_xacts=\(rest[rest.startIndex]) max_locks_per_xact=\(rest[rest.startIndex + 1]) "
      + "wal_level=\(walLevel(rest[rest.startIndex + 2])) wal_log_hints=\(hints ? "on" : "off") "
      + "track_commit_timestamp=\(timestamps ? "on" : "off")"
  }

  static func walLevel(_ value: Int32) -> String {
    switch value {
    case 0: "minimal"
    case 1: "replica"
    case 2: "logical"
    default: "?"
    }
  }
}
