import WALCore
import WALIO

/// The system identifier in a cluster's `global/pg_control`: the first field of
/// `ControlFileData` in every version from 10 to 18 (8 bytes, host byte order).
package enum ControlFileIdentity {
  /// `nil` when the file cannot be read or is too short to hold one.
  package static func systemIdentifier(at path: String) -> UInt64? {
    guard let data = try? SegmentData.load(path: path), data.bytes.count >= 8 else { return nil }
    let identifier = ByteReader.field(data.bytes, at: 0, as: UInt64.self)
    return identifier == 0 ? nil : identifier
  }
}
