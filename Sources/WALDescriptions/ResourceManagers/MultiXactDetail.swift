import WALCore

/// MultiXact records: multixacts created, pages zeroed, truncations.
enum MultiXactDetail: RecordDescriber {
  static func describe(_ info: UInt8, _ data: RecordBytes) -> String? {
    switch info {
    case 0x00, 0x10: return u32(data, 0).map { "\(Int32(bitPattern: $0))" }  // ZERO_OFF_PAGE, ZERO_MEM_PAGE
    case 0x20:  // CREATE_ID: mid, offset, nmembers, {xid, status}[]
      guard let id = u32(data, 0), let offset = u32(data, 4), let count = u32(data, 8), count < 1 << 16,
        let members = data.u32s(at: 12, count: 2 * Int(count))
      else { return nil }
      let statuses = ["keysh", "sh", "fornokeyupd", "forupd", "nokeyupd", "upd"]
      return "\(id) offset \(offset) nmembers \(count): " + (0..<Int(count)).map { index -> String in
        let status = Int(members[2 * index + 1])
        return "\(members[2 * index]) (\(status < statuses.count ? statuses[status] : "unknown")) "
      }.joined()
    default: return nil
    }
  }
}
