import WALCore

/// Descriptions of Transaction, Standby and XLOG records, as pg_waldump of 15–18 writes them.
enum TransactionDetail {
  /// `timestamptz_to_str` as pg_waldump prints it: `2026-11-26 16:29:55.916235 UTC`, in UTC
  /// or in the local time zone (``TimestampText/usesLocalTime``).
  static func timestamp(_ microseconds: Int64) -> String {
    let bytes = TextBuffer(capacity: 64)
    appendTimestamp(microseconds, to: bytes)
    return bytes.text
  }

  /// The time in UTC whatever ``TimestampText/usesLocalTime`` says.
  static func timestampInUTC(_ microseconds: Int64) -> String {
    let bytes = TextBuffer(capacity: 64)
    appendTimestamp(microseconds, to: bytes, inUTC: true)
    return bytes.text
  }

  /// `TimestampTz` values PostgreSQL takes as timestamps: `[MIN_TIMESTAMP, END_TIMESTAMP)`,
  /// 4714-11-24 BC up to the year 294277. `Int64.min` and `Int64.max` are -infinity and infinity.
  static let validTimestamps: Range<Int64> = -211_813_488_000_000_000..<9_223_371_331_200_000_000

  /// `timestamptz_to_str`: `2026-11-26 16:50:01.921501 UTC`, in UTC or, with
  /// ``TimestampText/usesLocalTime``, in the local time zone as pg_waldump prints it;
  /// `infinity`, `-infinity`, or `(timestamp out of range)` as PostgreSQL writes values that
  /// are not a time.
  static func appendTimestamp(_ microseconds: Int64, to bytes: TextBuffer, inUTC: Bool = false) {
    guard validTimestamps.contains(microseconds) else {
      bytes.append(microseconds == .max ? "infinity" : microseconds == .min ? "-infinity" : "(timestamp out of range)")
      return
    }
    if !inUTC, TimestampText.usesLocalTime, TimestampText.appendLocal(microseconds, to: bytes) { return }
    // Microseconds since 2000-01-01, PostgreSQL's epoch: in the range above, nothing overflows.
    var seconds = microseconds / 1_000_000
    var fraction = microseconds % 1_000_000
    if fraction < 0 { fraction += 1_000_000; seconds -= 1 }
    let daysSince2000 = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let secondOfDay = seconds - daysSince2000 * 86_400
    let days = daysSince2000 + 10_957
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    typealias F = LineFormatting
    if year < 0 { bytes.append(UInt8(ascii: "-")) }
    F.appendDecimal(year.magnitude, to: bytes)
    func field(_ separator: Unicode.Scalar, _ value: Int64, digits: Int = 2) {
      bytes.append(UInt8(ascii: separator))
      F.appendZeroPadded(UInt64(value), digits: digits, to: bytes)
    }
    field("-", month)
    field("-", day)
    field(" ", secondOfDay / 3600)
    field(":", secondOfDay % 3600 / 60)
    field(":", secondOfDay % 60)
    field(".", fraction, digits: 6)
    F.append(" UTC", to: bytes)
  }

  static func i64(_ data: RecordBytes, _ offset: Int) -> Int64? {
    RecordDetail.u64(data, offset).map { Int64(bitPattern: $0) }
  }

  static func i32(_ data: RecordBytes, _ offset: Int) -> Int32? {
    RecordDetail.u32(data, offset).map { Int32(bitPattern: $0) }
  }

  /// `standby_desc_invalidations`.
  static func invalidations(_ data: RecordBytes, at offset: Int, count: Int, database: UInt32, tablespace: UInt32,
                            initFile: Bool, version: WALVersion) -> String?
  {
    guard count > 0 else { return "" }
    guard count < 1 << 20, let words = data.u32s(at: offset, count: 4 * count) else { return nil }
    var text = initFile ? "; relcache init file inval dbid \(database) tsid \(tablespace)" : ""
    text += "; inval msgs:"
    for index in 0..<count {
      // SharedInvalidationMessage: the id in the first byte, then words of 4 bytes.
      let id = Int8(truncatingIfNeeded: words[4 * index])
      switch id {
      case 0...: text += " catcache \(id)"
      case -1: text += " catalog \(words[4 * index + 2])"
      case -2: text += " relcache \(words[4 * index + 2])"
      case -3: text += " smgr"
      case -4: text += " relmap db \(words[4 * index + 1])"
      case -5: text += " snapshot \(words[4 * index + 2])"
      case -6 where version.major >= 18: text += " relsync \(words[4 * index + 2])"
      default: text += " unrecognized id \(id)"
      }
    }
    return text
  }

  static func transaction(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let info = record.header.info
    switch info & 0x70 {
    case 0x00, 0x30, 0x20, 0x40: return RecordDetail.text { appendCompletion(record, to: $0) }
    case 0x50:  // ASSIGNMENT: xtop, nsubxacts, xsub[]
      guard let top = RecordDetail.u32(data, 0), let count = i32(data, 4), count >= 0,
        let subtransactions = data.u32s(at: 8, count: Int(count))
      else { return nil }
      return "xtop \(top): subxacts:" + subtransactions.map { " \($0)" }.joined()
    case 0x60:  // INVALIDATION: nmsgs, msgs[]
      guard let count = i32(data, 0), count >= 0 else { return nil }
      return invalidations(data, at: 4, count: Int(count), database: 0, tablespace: 0, initFile: false, version: record.version)
    case 0x10:  // PREPARE (xl_xact_prepare), in the common case of no relations, stats, subtransactions or messages
      guard record.version.major >= 15, data.count >= 72, let time = i64(data, 16),
        let gidLength = AccessMethodDetail.u16(data, 54).map(Int.init), gidLength > 0,
        (0..<6).allSatisfy({ i32(data, 28 + 4 * $0) == 0 }), let gid = data.string(72, count: gidLength - 1)
      else { return nil }
      return "gid \(gid): " + timestamp(time)
    default:
      return nil
    }
  }

  enum XInfo {
    static let databaseInfo: UInt32 = 1 << 0, subtransactions: UInt32 = 1 << 1, relations: UInt32 = 1 << 2
    static let invalidations: UInt32 = 1 << 3, twoPhase: UInt32 = 1 << 4, origin: UInt32 = 1 << 5
    static let gid: UInt32 = 1 << 7, droppedStats: UInt32 = 1 << 8
    static let applyFeedback: UInt32 = 1 << 29, relcacheInitFile: UInt32 = 1 << 30, forceSync: UInt32 = 1 << 31
  }

  /// COMMIT, COMMIT_PREPARED, ABORT, ABORT_PREPARED (`ParseCommitRecord`, `ParseAbortRecord`).
  /// Whether the record is a COMMIT, ABORT, COMMIT_PREPARED or ABORT_PREPARED.
  static func isCompletion(_ record: WALRecord) -> Bool {
    [0x00, 0x30, 0x20, 0x40].contains(record.header.info & 0x70)
  }

  /// Appends a commit's or abort's description; false (nothing appended) when walkit does not
  /// describe it.
  static func appendCompletion(_ record: WALRecord, to bytes: TextBuffer) -> Bool {
    let data = record.mainBytes
    let isCommit = record.header.isCommit
    guard record.version.major >= 15, let time = i64(data, 0) else { return false }
    var position = 8
    var xinfo: UInt32 = 0
    if record.header.info & 0x80 != 0 {
      guard let value = RecordDetail.u32(data, position) else { return false }
      xinfo = value
      position += 4
    }
    var database: UInt32 = 0, tablespace: UInt32 = 0
    if xinfo & XInfo.databaseInfo != 0 {
      guard let db = RecordDetail.u32(data, position), let ts = RecordDetail.u32(data, position + 4) else { return false }
      (database, tablespace) = (db, ts)
      position += 8
    }
    var subtransactions: [UInt32] = []
    if xinfo & XInfo.subtransactions != 0 {
      guard let count = i32(data, position), count >= 0, let values = data.u32s(at: position + 4, count: Int(count))
      else { return false }
      subtransactions = values
      position += 4 + 4 * Int(count)
    }
    var relations: [String] = []
    if xinfo & XInfo.relations != 0 {
      guard let count = i32(data, position), count >= 0, data.contains(position + 4, size: 12 * Int(count)) else { return false }
      for index in 0..<Int(count) {
        guard let relation = RecordDetail.locator(data, position + 4 + 12 * index),
          let path = RecordDetail.relationPath(relation, fork: .main, version: record.version)
        else { return false }
        relations.append(path)
      }
      position += 4 + 12 * Int(count)
    }
    var stats: [String] = []
    if xinfo & XInfo.droppedStats != 0 {
      let itemSize = record.version.major >= 18 ? 16 : 12
      guard let count = i32(data, position), count >= 0, data.contains(position + 4, size: itemSize * Int(count)) else { return false }
      for index in 0..<Int(count) {
        let base = position + 4 + itemSize * index
        guard let kind = i32(data, base), let db = RecordDetail.u32(data, base + 4),
          let object = itemSize == 16 ? RecordDetail.u64(data, base + 8) : RecordDetail.u32(data, base + 8).map(UInt64.init)
        else { return false }
        stats.append(" \(kind)/\(db)/\(object)")
      }
      position += 4 + itemSize * Int(count)
    }
    var messages = ""
    if isCommit && xinfo & XInfo.invalidations != 0 {
      guard let count = i32(data, position), count >= 0,
        let text = invalidations(data, at: position + 4, count: Int(count), database: database, tablespace: tablespace,
                                 initFile: xinfo & XInfo.relcacheInitFile != 0, version: record.version)
      else { return false }
      messages = text
      position += 4 + 16 * Int(count)
    }
    var twoPhase: UInt32?
    if xinfo & XInfo.twoPhase != 0 {
      guard let xid = RecordDetail.u32(data, position) else { return false }
      twoPhase = xid
      position += 4
      if xinfo & XInfo.gid != 0 {
        guard let end = data.firstIndex(of: 0, from: position) else { return false }
        position = end + 1
      }
    }
    var origin: String?
    if xinfo & XInfo.origin != 0 {
      guard let lsn = RecordDetail.u64(data, position), let at = i64(data, position + 8) else { return false }
      origin = "; origin: node \(record.origin ?? 0), lsn \(LSN(lsn)), at \(timestamp(at))"
    }

    if let twoPhase {
      LineFormatting.appendDecimal(UInt64(twoPhase), to: bytes)
      LineFormatting.append(": ", to: bytes)
    }
    appendTimestamp(time, to: bytes)
    if !relations.isEmpty { bytes.append("; rels:" + relations.map { " " + $0 }.joined()) }
    if !subtransactions.isEmpty { bytes.append("; subxacts:" + subtransactions.map { " \($0)" }.joined()) }
    if !stats.isEmpty { bytes.append("; dropped stats:" + stats.joined()) }
    bytes.append(messages)
    if isCommit && xinfo & XInfo.applyFeedback != 0 { LineFormatting.append("; apply_feedback", to: bytes) }
    if isCommit && xinfo & XInfo.forceSync != 0 { LineFormatting.append("; sync", to: bytes) }
    if let origin { bytes.append(origin) }
    return true
  }

  static func standby(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    switch record.header.info & 0xF0 {
    case 0x00:  // LOCK: nlocks, {xid, db, rel}[]
      guard let count = i32(data, 0), count >= 0, let words = data.u32s(at: 4, count: 3 * Int(count)) else { return nil }
      return (0..<Int(count)).map { index in
        "xid \(words[3 * index]) db \(words[3 * index + 1]) rel \(words[3 * index + 2]) "
      }.joined()
    case 0x10:  // RUNNING_XACTS
      guard let xacts = i32(data, 0), let subxacts = i32(data, 4), let overflowed = data.flag(8), let next = RecordDetail.u32(data, 12),
        let oldest = RecordDetail.u32(data, 16), let latest = RecordDetail.u32(data, 20), xacts >= 0, subxacts >= 0,
        let ids = data.u32s(at: 24, count: Int(xacts) + Int(subxacts))
      else { return nil }
      var text = "nextXid \(next) latestCompletedXid \(latest) oldestRunningXid \(oldest)"
      if xacts > 0 { text += "; \(xacts) xacts:" + ids.prefix(Int(xacts)).map { " \($0)" }.joined() }
      if overflowed { text += "; subxid overflowed" }
      if subxacts > 0 { text += "; \(subxacts) subxacts:" + ids.dropFirst(Int(xacts)).map { " \($0)" }.joined() }
      return text
    case 0x20:  // INVALIDATIONS: dbId, tsId, relcacheInitFileInval, nmsgs, msgs[]
      guard let database = RecordDetail.u32(data, 0), let tablespace = RecordDetail.u32(data, 4), let initFile = data.flag(8),
        let count = i32(data, 12), count >= 0
      else { return nil }
      return invalidations(data, at: 16, count: Int(count), database: database, tablespace: tablespace,
                           initFile: initFile, version: record.version)
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

  /// CHECKPOINT_SHUTDOWN/ONLINE, PARAMETER_CHANGE, FPW_CHANGE, END_OF_RECOVERY, CHECKPOINT_REDO.
  static func xlog(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let major = record.version.major
    let info = record.header.info & 0xF0
    switch info {
    case 0x00, 0x10:
      guard (15...18).contains(major) && major != 17, let redo = RecordDetail.u64(data, 0), let nextXid = RecordDetail.u64(data, 24),
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
      guard data.count >= 16, let time = i64(data, 0), let this = RecordDetail.u32(data, 8), let previous = RecordDetail.u32(data, 12)
      else { return nil }
      var text = "tli \(this); prev tli \(previous); time \(timestamp(time))"
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
}
