import WALCore

/// Storage records: relation files created and truncated (the same in 10–18).
enum StorageDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    switch record.header.info & 0xF0 {
    case 0x10:  // CREATE: RelFileLocator, ForkNumber
      guard let relation = locator(data, 0), let fork = u32(data, 12) else { return nil }
      return relationPath(relation, fork: ForkNumber(rawValue: UInt8(truncatingIfNeeded: fork)), version: record.version)
    case 0x20:  // TRUNCATE: BlockNumber, RelFileLocator, flags
      guard let blocks = u32(data, 0), let relation = locator(data, 4), let flags = i32(data, 16),
        let path = relationPath(relation, fork: .main, version: record.version)
      else { return nil }
      return "\(path) to \(blocks) blocks flags \(flags)"
    default: return nil
    }
  }
}
