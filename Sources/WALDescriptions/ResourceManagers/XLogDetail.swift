import WALCore

/// XLOG records: checkpoints, settings, restore points, switches and the like.
enum XLogDetail: RecordDescriber {
  /// The description of any XLOG record walkit describes.
  static func describe(_ record: WALRecord) -> String? {
    singleValue(record.header.info & 0xF0, record.mainBytes) ?? checkpointsAndSettings(record)
  }

  /// XLOG records whose description is one value.
  static func singleValue(_ info: UInt8, _ data: RecordBytes) -> String? {
    switch info {
    case 0x30: return u32(data, 0).map { "\($0)" }  // NEXTOID
    case 0x20, 0x40, 0xA0, 0xB0: return ""  // NOOP, SWITCH, FPI_FOR_HINT, FPI: nothing to add
    case 0x50: return u64(data, 0).map { "\(LSN($0))" }  // BACKUP_END
    case 0x70:  // RESTORE_POINT: TimestampTz, then the name
      guard data.count > 8 else { return nil }
      return data.cString(from: 8)
    default: return nil
    }
  }

  /// CHECKPOINT_SHUTDOWN/ONLINE, PARAMETER_CHANGE, FPW_CHANGE, END_OF_RECOVERY, CHECKPOINT_REDO.
  static func checkpointsAndSettings(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let major = record.version.major
    let info = record.header.info & 0xF0
    switch info {
    case 0x00, 0x10:
      guard (15...18).contains(major) && major != 17, let redo = u64(data, 0), let nextXid = u64(data, 24),
        let fullPageWrites = data.flag(16), let level = i32(data, 20), let words = data.u32s(at: 0, count: 21)
      else { return nil }
      let u = { (offset: Int) in words[offset / 4] }
      var text = "redo \(LSN(redo)); tli \(u(8)); prev tli \(u(12)); fpw \(fullPageWrites ? "true" : "false"); "
      if major >= 18 { text += "wal_level \(walLevel(level)); " }
      text += "xid \(nextXid >> 32):\(UInt32(truncatingIfNeeded: nextXid)); oid \(u(32)); multi \(u(36)); offset \(u(40)); "
        + "oldest xid \(u(44)) in DB \(u(48)); oldest multi \(u(52)) in DB \(u(56)); "
        + "oldest/newest commit timestamp xid: \(u(72))/\(u(76)); oldest running xid \(u(80)); "
        + (info == 0x00 ? "shutdown" : "online")
      return text
    case 0x60:  // PARAMETER_CHANGE
      guard let words = data.u32s(at: 0, count: 6), let hints = data.flag(24), let timestamps = data.flag(25) else { return nil }
      let i = { (offset: Int) in Int32(bitPattern: words[offset / 4]) }
      return "max_connections=\(i(0)) max_worker_processes=\(i(4)) max_wal_senders=\(i(8)) max_prepared_xacts=\(i(12)) "
        + "max_locks_per_xact=\(i(16)) wal_level=\(walLevel(i(20))) wal_log_hints=\(hints ? "on" : "off") "
        + "track_commit_timestamp=\(timestamps ? "on" : "off")"
    case 0x80:  // FPW_CHANGE
      return data.flag(0).map { $0 ? "true" : "false" }
    case 0x90:  // END_OF_RECOVERY: end_time, this TLI, prev TLI (, wal_level in 18)
      guard data.count >= 16, let time = i64(data, 0), let this = u32(data, 8), let previous = u32(data, 12)
      else { return nil }
      var text = "tli \(this); prev tli \(previous); time \(TimestampText.timestamp(time))"
      if major >= 18 {
        guard let level = i32(data, 16) else { return nil }
        text += "; wal_level \(walLevel(level))"
      }
      return text
    case 0xE0 where major >= 18:  // CHECKPOINT_REDO
      return i32(data, 0).map { "wal_level \(walLevel($0))" }
    default:
      return nil
    }
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
