import WALCore

/// Replication-origin records, as `replorigindesc.c` writes them (the same in 10–18).
enum ReplicationOriginDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    switch record.header.info {
    case 0x00:  // SET: remote_lsn, node_id, force
      guard let lsn = u64(data, 0), let node = u16(data, 8), let force = data.flag(10) else { return nil }
      return "set \(node); lsn \(LSN(lsn)); force: \(force ? 1 : 0)"
    case 0x10:  // DROP: node_id
      return u16(data, 0).map { "drop \($0)" }
    default:
      return nil
    }
  }
}
