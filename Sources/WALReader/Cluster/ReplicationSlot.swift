import WALCore
import WALIO

/// A replication slot of a primary, from `pg_replslot/<name>/state`: while it exists, the
/// primary keeps every segment from its `restart_lsn` on.
public struct ReplicationSlot: Hashable, Sendable {
  public var name: String
  /// The oldest WAL the slot's consumer may still need; `nil` for a slot never used.
  public var restartLSN: LSN?
  /// The database of a logical slot; `nil` for a physical slot (a standby's).
  public var database: UInt32?
  /// The file it was read from.
  public var path: String

  public var isPhysical: Bool { database == nil }

  /// Why a slot's state file cannot be used.
  public struct Failure: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
  }

  /// `SLOT_MAGIC`, the same in 10–18.
  static let magic: UInt32 = 0x1051_CA1
  /// `SLOT_VERSION`: 2 in 10–15, 3 in 16, 5 in 17 and 18.
  static let versions: Set<UInt32> = [2, 3, 5]
  /// `offsetof(ReplicationSlotOnDisk, slotdata)`: magic, checksum, version, length.
  static let constantSize = 16

  /// Decodes a state file: magic, CRC-32C of everything after the checksum, and the fields of
  /// `ReplicationSlotPersistentData` that are at the same place in every version.
  public init(decoding bytes: UnsafeRawBufferPointer, path: String) throws(Failure) {
    let data = RecordBytes(bytes)
    guard let magic = data.u32(0), let checksum = data.u32(4), let length = data.u32(12) else {
      throw Failure(path: path, reason: "\(bytes.count) bytes, too short for a replication slot's state")
    }
    guard magic == Self.magic else {
      throw Failure(path: path, reason: "replication slot file has wrong magic number: \(magic) instead of \(Self.magic)")
    }
    guard let version = data.u32(8), Self.versions.contains(version) else {
      throw Failure(path: path, reason: "replication slot file has unsupported version \(data.u32(8) ?? 0) (PostgreSQL 10–18 write 2, 3 or 5)")
    }
    let (total, overflow) = Self.constantSize.addingReportingOverflow(Int(length))
    let checked = RecordBytes(UnsafeRawBufferPointer(rebasing: bytes[0..<min(bytes.count, total)]))
    guard !overflow, total <= bytes.count, let restart = checked.u64(96), let database = checked.u32(80),
      let nameBytes = checked.slice(16, count: 64)
    else {
      throw Failure(path: path, reason: "replication slot file length \(length) does not fit its \(bytes.count) bytes or its fields")
    }
    let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[8..<total]))
    guard computed == checksum else {
      throw Failure(path: path, reason: "checksum mismatch for replication slot file: is \(computed), should be \(checksum)")
    }
    let nameLength = nameBytes.firstIndex(of: 0, from: 0) ?? 64
    name = nameBytes.string(0, count: nameLength) ?? ""
    restartLSN = restart == 0 ? nil : LSN(restart)
    self.database = database == 0 ? nil : database
    self.path = path
  }

  /// The slots of the cluster in `dataDirectory`, by name, and the state files that could not
  /// be read. A cluster without `pg_replslot` has none.
  public static func all(inDataDirectory dataDirectory: String) -> (slots: [ReplicationSlot], failures: [Failure]) {
    let directory = FilePaths.join(dataDirectory, "pg_replslot")
    guard let entries = try? FilePaths.entries(of: directory) else { return ([], []) }
    var slots: [ReplicationSlot] = []
    var failures: [Failure] = []
    // A `.tmp` directory is a slot being created or dropped: PostgreSQL removes it at startup.
    for entry in entries where !entry.name.hasPrefix(".") && !entry.name.hasSuffix(".tmp") {
      let path = FilePaths.join(FilePaths.join(directory, entry.name), "state")
      guard Syscalls.isRegularFile(path) else { continue }
      switch FilePaths.contents(of: path, limit: 4096) {
      case .failure(let error): failures.append(Failure(path: path, reason: "cannot read: \(error)"))
      case .success(let bytes):
        switch bytes.withUnsafeBytes({ bytes in Result { () throws(Failure) in try ReplicationSlot(decoding: bytes, path: path) } }) {
        case .success(let slot): slots.append(slot)
        case .failure(let failure): failures.append(failure)
        }
      }
    }
    return (slots, failures)
  }
}
