import WALCore

/// Transaction records: commits, aborts, prepares, assignments and invalidations.
enum TransactionDetail: RecordDescriber {

  /// `standby_desc_invalidations`; before 13 it writes its headings even for no messages, which
  /// only the Standby rmgr's caller let happen (`listsNone`).
  static func invalidations(_ data: RecordBytes, at offset: Int, count: Int, database: UInt32, tablespace: UInt32,
                            initFile: Bool, version: WALVersion, listsNone: Bool = false) -> String?
  {
    guard count > 0 || (count == 0 && listsNone && version.major <= 12) else { return "" }
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

  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let info = record.header.info
    switch info & 0x70 {
    case 0x00, 0x30, 0x20, 0x40: return text { appendCompletion(record, to: $0) }
    case 0x50:  // ASSIGNMENT: xtop, nsubxacts, xsub[]
      guard let top = u32(data, 0), let count = i32(data, 4), count >= 0,
        let subtransactions = data.u32s(at: 8, count: Int(count))
      else { return nil }
      return "xtop \(top): subxacts:" + subtransactions.map { " \($0)" }.joined()
    case 0x60 where record.version.major >= 14:  // INVALIDATION: nmsgs, msgs[]
      guard let count = i32(data, 0), count >= 0 else { return nil }
      return invalidations(data, at: 4, count: Int(count), database: 0, tablespace: 0, initFile: false, version: record.version)
    case 0x10:  // PREPARE: described from 13
      return record.version.major >= 13 ? prepare(record) : ""
    default:
      return nil
    }
  }

  /// `xl_xact_prepare` and what follows it, each part MAXALIGNed: gid, subxacts, relations to
  /// drop at commit and at abort, (15+) stats to drop at commit and at abort, invalidations.
  static func prepare(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    let version = record.version
    let hasStats = version.major >= 15
    let header = hasStats ? 72 : 64
    let countsEnd = hasStats ? 48 : 40
    guard let database = u32(data, 12), let time = i64(data, 16), let counts = data.u32s(at: 28, count: (countsEnd - 28) / 4),
      let messageCount = i32(data, countsEnd), let initFile = data.flag(countsEnd + 4),
      let gidLength = u16(data, countsEnd + 6).map(Int.init), gidLength > 0, messageCount >= 0,
      counts.allSatisfy({ $0 < 1 << 20 })
    else { return nil }
    let subtransactionCount = Int(counts[0]), commitRelations = Int(counts[1]), abortRelations = Int(counts[2])
    func aligned(_ size: Int) -> Int { (size + 7) & ~7 }
    var position = header
    guard let gid = data.string(position, count: gidLength - 1) else { return nil }
    position += aligned(gidLength)
    guard let subtransactions = data.u32s(at: position, count: subtransactionCount) else { return nil }
    position += aligned(4 * subtransactionCount)
    func relations(_ count: Int) -> [String]? {
      var paths: [String] = []
      for index in 0..<count {
        guard let relation = locator(data, position + 12 * index),
          let path = relationPath(relation, fork: .main, version: version)
        else { return nil }
        paths.append(path)
      }
      position += aligned(12 * count)
      return paths
    }
    guard let committed = relations(commitRelations), let aborted = relations(abortRelations) else { return nil }
    var text = "gid \(gid): " + TimestampText.timestamp(time)
    if !committed.isEmpty { text += "; rels(commit):" + committed.map { " " + $0 }.joined() }
    if !aborted.isEmpty { text += "; rels(abort):" + aborted.map { " " + $0 }.joined() }
    if hasStats {
      for (label, count) in [("commit", Int(counts[3])), ("abort", Int(counts[4]))] {
        guard let items = droppedStats(data, at: position, count: count, version: version) else { return nil }
        if !items.isEmpty { text += "; \(label) dropped stats:" + items.joined() }
        position += aligned(statsItemSize(version) * count)
      }
    }
    if !subtransactions.isEmpty { text += "; subxacts:" + subtransactions.map { " \($0)" }.joined() }
    guard let messages = invalidations(data, at: position, count: Int(messageCount), database: database, tablespace: 0,
                                       initFile: initFile, version: version)
    else { return nil }
    text += messages
    if hasStats, let origin = record.origin, origin != 0 {
      guard let lsn = u64(data, countsEnd + 8), let at = i64(data, countsEnd + 16) else { return nil }
      text += "; origin: node \(origin), lsn \(LSN(lsn)), at \(TimestampText.timestamp(at))"
    }
    return text
  }

  /// `xl_xact_stats_item`: kind, database, object (64-bit from 18).
  static func statsItemSize(_ version: WALVersion) -> Int { version.major >= 18 ? 16 : 12 }

  /// ` kind/db/object` for each dropped statistics entry.
  static func droppedStats(_ data: RecordBytes, at position: Int, count: Int, version: WALVersion) -> [String]? {
    let itemSize = statsItemSize(version)
    var items: [String] = []
    for index in 0..<count {
      let base = position + itemSize * index
      guard let kind = i32(data, base), let db = u32(data, base + 4),
        let object = itemSize == 16 ? u64(data, base + 8) : u32(data, base + 8).map(UInt64.init)
      else { return nil }
      items.append(" \(kind)/\(db)/\(object)")
    }
    return items
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
    guard let time = i64(data, 0) else { return false }
    var position = 8
    var xinfo: UInt32 = 0
    if record.header.info & 0x80 != 0 {
      guard let value = u32(data, position) else { return false }
      xinfo = value
      position += 4
    }
    var database: UInt32 = 0, tablespace: UInt32 = 0
    if xinfo & XInfo.databaseInfo != 0 {
      guard let db = u32(data, position), let ts = u32(data, position + 4) else { return false }
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
        guard let relation = locator(data, position + 4 + 12 * index),
          let path = relationPath(relation, fork: .main, version: record.version)
        else { return false }
        relations.append(path)
      }
      position += 4 + 12 * Int(count)
    }
    var stats: [String] = []
    if xinfo & XInfo.droppedStats != 0 {
      guard let count = i32(data, position), count >= 0, count < 1 << 20,
        let items = droppedStats(data, at: position + 4, count: Int(count), version: record.version)
      else { return false }
      stats = items
      position += 4 + statsItemSize(record.version) * Int(count)
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
      guard let xid = u32(data, position) else { return false }
      twoPhase = xid
      position += 4
      if xinfo & XInfo.gid != 0 {
        guard let end = data.firstIndex(of: 0, from: position) else { return false }
        position = end + 1
      }
    }
    var origin: String?
    if xinfo & XInfo.origin != 0 {
      guard let lsn = u64(data, position), let at = i64(data, position + 8) else { return false }
      origin = "; origin: node \(record.origin ?? 0), lsn \(LSN(lsn)), at \(TimestampText.timestamp(at))"
    }

    if let twoPhase {
      LineFormatting.appendDecimal(UInt64(twoPhase), to: bytes)
      LineFormatting.append(": ", to: bytes)
    }
    TimestampText.appendTimestamp(time, to: bytes)
    if !relations.isEmpty { bytes.append("; rels:" + relations.map { " " + $0 }.joined()) }
    if !subtransactions.isEmpty { bytes.append("; subxacts:" + subtransactions.map { " \($0)" }.joined()) }
    let statsText = stats.isEmpty ? "" : "; dropped stats:" + stats.joined()
    if isCommit {
      bytes.append(statsText)
      bytes.append(messages)
      if record.version.major >= 15 && xinfo & XInfo.applyFeedback != 0 { LineFormatting.append("; apply_feedback", to: bytes) }
      if xinfo & XInfo.forceSync != 0 { LineFormatting.append("; sync", to: bytes) }
      if let origin { bytes.append(origin) }
    } else {
      // Aborts print their origin from 15 on, before the dropped stats.
      if let origin, record.version.major >= 15 { bytes.append(origin) }
      bytes.append(statsText)
    }
    return true
  }

}

/// What recovery targets look at in a transaction's end (`ParseCommitRecord`,
/// `ParseAbortRecord`): when it happened and which transaction it ended.
package struct TransactionEnd: Sendable {
  package var isCommit: Bool
  /// `xact_time`, a PostgreSQL `TimestampTz`.
  package var time: Int64
  /// The prepared transaction's xid for COMMIT/ABORT PREPARED, else the record's.
  package var xid: UInt32

  /// `nil` unless `record` is a COMMIT, COMMIT_PREPARED, ABORT or ABORT_PREPARED whose parts
  /// fit its bytes.
  package init?(_ record: WALRecord) {
    guard record.header.resourceManagerID == 1, TransactionDetail.isCompletion(record) else { return nil }
    let data = record.mainBytes
    guard let time = data.i64(0) else { return nil }
    isCommit = record.header.isCommit
    self.time = time
    xid = record.header.xid
    let prepared = [0x30, 0x40].contains(record.header.info & 0x70)
    guard prepared, record.header.info & 0x80 != 0, let xinfo = data.u32(8) else { return }
    typealias X = TransactionDetail.XInfo
    var position = 12
    func skipCounted(_ itemSize: Int) -> Bool {
      guard let count = data.i32(position), count >= 0 else { return false }
      position += 4 + itemSize * Int(count)
      return true
    }
    if xinfo & X.databaseInfo != 0 { position += 8 }
    if xinfo & X.subtransactions != 0, !skipCounted(4) { return nil }
    if xinfo & X.relations != 0, !skipCounted(12) { return nil }
    if xinfo & X.droppedStats != 0, !skipCounted(record.version.major >= 18 ? 16 : 12) { return nil }
    if isCommit && xinfo & X.invalidations != 0, !skipCounted(16) { return nil }
    if xinfo & X.twoPhase != 0 {
      guard let twoPhase = data.u32(position) else { return nil }
      xid = twoPhase
    }
  }
}
