import WALCore

/// Storage records: relation files created and truncated.
enum StorageDetail: RecordDescriber {
  static func describe(_ info: UInt8, _ data: RecordBytes, version: WALVersion) -> String? {
    switch info {
    case 0x10:  // CREATE: RelFileLocator, ForkNumber
      guard let relation = locator(data, 0), let fork = u32(data, 12) else { return nil }
      return relationPath(relation, fork: ForkNumber(rawValue: UInt8(truncatingIfNeeded: fork)), version: version)
    case 0x20:  // TRUNCATE: BlockNumber, RelFileLocator, flags
      guard let blocks = u32(data, 0), let relation = locator(data, 4), let flags = u32(data, 16),
        let path = relationPath(relation, fork: .main, version: version)
      else { return nil }
      return "\(path) to \(blocks) blocks flags \(flags)"
    default: return nil
    }
  }
}
