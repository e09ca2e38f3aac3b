import WALCore

/// LogicalMessage records: `pg_logical_emit_message`. Before 14 only the size is printed.
enum LogicalMessageDetail: RecordDescriber {
  /// `xl_logical_message`: dbId, transactional, prefix_size, message_size, prefix\0 payload.
  static func describe(_ record: WALRecord) -> String? {
    let data = record.mainBytes
    guard record.header.info & 0xF0 == 0x00, let transactional = data.flag(4), let prefixSize = u64(data, 8),
      let messageSize = u64(data, 16)
    else { return nil }
    guard record.version.major >= 14 else {
      return "\(transactional ? "transactional" : "nontransactional") message size \(messageSize) bytes"
    }
    guard prefixSize > 0, let prefixBytes = data.slice(24, count: prefixSize),
      let prefix = prefixBytes.string(0, count: prefixBytes.count - 1),
      let payload = data.slice(24 + prefixBytes.count, count: messageSize)
    else { return nil }
    let text = "\(transactional ? "transactional" : "non-transactional"), prefix \"\(prefix)\"; payload (\(messageSize) bytes): "
    let digits = Array("0123456789ABCDEF".utf8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(payload.count * 3)
    payload.forEachByte { byte in
      if !bytes.isEmpty { bytes.append(UInt8(ascii: " ")) }
      bytes.append(digits[Int(byte >> 4)])
      bytes.append(digits[Int(byte & 0x0F)])
    }
    return text + String(decoding: bytes, as: UTF8.self)
  }
}
