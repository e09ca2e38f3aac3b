import WALCore

/// MultiXact records: multixacts created, pages zeroed (64-bit page numbers from 17),
/// truncations.
enum MultiXactDetail: RecordDescriber {
  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    switch record.header.info & 0xF0 {
    case 0x00, 0x10:  // ZERO_OFF_PAGE, ZERO_MEM_PAGE
      return pageNumber(data, wide: record.version.major >= 17).map { "\($0)" }
    case 0x20:  // CREATE_ID: mid, offset, nmembers, {xid, status}[]
      guard let id = u32(data, 0), let offset = u32(data, 4), let count = i32(data, 8), count >= 0, count < 1 << 16,
        let members = data.u32s(at: 12, count: 2 * Int(count))
      else { return nil }
      let statuses = ["keysh", "sh", "fornokeyupd", "forupd", "nokeyupd", "upd"]
      return "\(id) offset \(offset) nmembers \(count): " + (0..<Int(count)).map { index -> String in
        let status = Int(members[2 * index + 1])
        return "\(members[2 * index]) (\(status < statuses.count ? statuses[status] : "unk")) "
      }.joined()
    case 0x30:  // TRUNCATE_ID: oldestMultiDB, start and end offsets, start and end members
      guard let words = data.u32s(at: 4, count: 4) else { return nil }
      return "offsets [\(words[0]), \(words[1])), members [\(words[2]), \(words[3]))"
    default:
      return nil
    }
  }
}
