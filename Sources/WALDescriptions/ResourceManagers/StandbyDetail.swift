import WALCore

/// Standby records: locks, running transactions, invalidations. 16 lists subtransactions.
enum StandbyDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    switch record.header.info & 0xF0 {
    case 0x00:  // LOCK: nlocks, {xid, db, rel}[]
      guard let count = i32(data, 0), count >= 0, let words = data.u32s(at: 4, count: 3 * Int(count)) else { return nil }
      return (0..<Int(count)).map { index in
        "xid \(words[3 * index]) db \(words[3 * index + 1]) rel \(words[3 * index + 2]) "
      }.joined()
    case 0x10:  // RUNNING_XACTS
      guard let xacts = i32(data, 0), let subxacts = i32(data, 4), let overflowed = data.flag(8), let next = u32(data, 12),
        let oldest = u32(data, 16), let latest = u32(data, 20), xacts >= 0, subxacts >= 0,
        let ids = data.u32s(at: 24, count: Int(xacts) + Int(subxacts))
      else { return nil }
      var text = "nextXid \(next) latestCompletedXid \(latest) oldestRunningXid \(oldest)"
      if xacts > 0 { text += "; \(xacts) xacts:" + ids.prefix(Int(xacts)).map { " \($0)" }.joined() }
      guard record.version.major >= 16 else { return text + (overflowed ? "; subxid ovf" : "") }
      if overflowed { text += "; subxid overflowed" }
      if subxacts > 0 { text += "; \(subxacts) subxacts:" + ids.dropFirst(Int(xacts)).map { " \($0)" }.joined() }
      return text
    case 0x20:  // INVALIDATIONS: dbId, tsId, relcacheInitFileInval, nmsgs, msgs[]
      guard let database = u32(data, 0), let tablespace = u32(data, 4), let initFile = data.flag(8),
        let count = i32(data, 12), count >= 0
      else { return nil }
      return TransactionDetail.invalidations(data, at: 16, count: Int(count), database: database, tablespace: tablespace,
                                             initFile: initFile, version: record.version, listsNone: true)
    default:
      return nil
    }
  }
}
