import WALCore
import WALIO

/// A cluster's `global/pg_control` (`ControlFileData`): who the cluster is, its state, and the
/// checkpoint recovery starts from — what `pg_controldata` prints, for PostgreSQL 10 to 18.
public struct ControlFile: Hashable, Sendable {
  /// `DBState`, the same values in 10–18.
  public enum State: UInt32, Sendable {
    case startingUp = 0, shutDown, shutDownInRecovery, shuttingDown, inCrashRecovery, inArchiveRecovery, inProduction

    /// As `pg_controldata` prints it.
    public var description: String {
      switch self {
      case .startingUp: "starting up"
      case .shutDown: "shut down"
      case .shutDownInRecovery: "shut down in recovery"
      case .shuttingDown: "shutting down"
      case .inCrashRecovery: "in crash recovery"
      case .inArchiveRecovery: "in archive recovery"
      case .inProduction: "in production"
      }
    }
  }

  public var systemIdentifier: UInt64
  /// `pg_control_version`: 1002 (10), 1100 (11), 1201 (12), 1300 (13–16), 1700 (17), 1800 (18).
  public var controlVersion: UInt32
  public var catalogVersion: UInt32
  public var state: State
  /// `time`: when the file was last written, seconds since 1970.
  public var lastModified: Int64
  /// Where the last checkpoint record is.
  public var checkpoint: LSN
  /// The last checkpoint's redo point: where replay of this cluster's own WAL starts.
  public var redo: LSN
  public var checkpointTimeline: TimelineID
  public var previousTimeline: TimelineID
  public var fullPageWrites: Bool
  /// `nextXid` with its epoch in the high 32 bits.
  public var nextTransactionID: UInt64
  public var checkpointTime: Int64
  /// A standby (or a restored backup) is consistent once replay has passed this point.
  public var minRecoveryPoint: LSN
  public var minRecoveryPointTimeline: TimelineID
  /// Set while a standby restored from a base backup has not replayed the backup's end.
  public var backupStart: LSN
  public var backupEnd: LSN
  public var backupEndRequired: Bool
  public var walLevel: Int32
  public var blockSize: UInt32
  public var walBlockSize: UInt32
  public var walSegmentSize: UInt32
  public var dataChecksumVersion: UInt32

  /// Why a control file cannot be used, in PostgreSQL's words where it has them.
  public struct Failure: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
  }

  /// `wal_level` as PostgreSQL names it.
  public var walLevelName: String {
    switch walLevel {
    case 0: "minimal"
    case 1: "replica"
    case 2: "logical"
    default: "unrecognized wal_level \(walLevel)"
    }
  }

  /// Decodes `bytes`, the start of a `pg_control` file.
  ///
  /// - Throws: ``Failure`` for an unknown `pg_control_version`, a file too short for its
  ///   layout, or a CRC that does not match (PostgreSQL's "incorrect checksum in control file").
  public init(decoding bytes: UnsafeRawBufferPointer, path: String) throws(Failure) {
    let data = RecordBytes(bytes)
    guard let version = data.u32(8) else {
      throw Failure(path: path, reason: "\(bytes.count) bytes, too short for a control file")
    }
    guard let layout = Layout(controlVersion: version) else {
      throw Failure(path: path, reason: "pg_control_version \(version) is not one of PostgreSQL 10–18 "
                      + "(1002, 1100, 1201, 1300, 1700, 1800)")
    }
    guard bytes.count >= layout.crc + 4, let stored = data.u32(layout.crc) else {
      throw Failure(path: path, reason: "\(bytes.count) bytes, too short for a version \(version) control file")
    }
    let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<layout.crc]))
    guard computed == stored else {
      throw Failure(path: path, reason: "incorrect checksum in control file: stored \(Hex.prefixed(stored)), "
                      + "computed \(Hex.prefixed(computed)) over its first \(layout.crc) bytes")
    }
    let copy = layout.checkpointCopy
    let after = layout.afterCheckpointCopy
    guard let rawState = data.u32(16), let state = State(rawValue: rawState) else {
      throw Failure(path: path, reason: "unrecognized cluster state \(data.u32(16) ?? 0)")
    }
    // Every offset below is inside the CRC-checked length the layout requires.
    func u32(_ offset: Int) -> UInt32 { data.u32(offset) ?? 0 }
    func u64(_ offset: Int) -> UInt64 { data.u64(offset) ?? 0 }
    systemIdentifier = u64(0)
    controlVersion = version
    catalogVersion = u32(12)
    self.state = state
    lastModified = Int64(bitPattern: u64(24))
    checkpoint = LSN(u64(32))
    redo = LSN(u64(copy))
    checkpointTimeline = TimelineID(u32(copy + 8))
    previousTimeline = TimelineID(u32(copy + 12))
    fullPageWrites = data.flag(copy + 16) ?? false
    nextTransactionID = layout.fullTransactionIDs ? u64(copy + 24) : UInt64(u32(copy + 20)) << 32 | UInt64(u32(copy + 24))
    checkpointTime = Int64(bitPattern: u64(copy + layout.checkpointTimeOffset))
    minRecoveryPoint = LSN(u64(after + 8))
    minRecoveryPointTimeline = TimelineID(u32(after + 16))
    backupStart = LSN(u64(after + 24))
    backupEnd = LSN(u64(after + 32))
    backupEndRequired = data.flag(after + 40) ?? false
    walLevel = Int32(bitPattern: u32(after + 44))
    blockSize = u32(after + 88)
    walBlockSize = u32(after + 96)
    walSegmentSize = u32(after + 100)
    dataChecksumVersion = u32(after + 124)
  }

  /// Reads `global/pg_control` of the cluster in `dataDirectory`.
  public static func read(dataDirectory: String) throws(Failure) -> ControlFile {
    let path = FilePaths.join(FilePaths.join(dataDirectory, "global"), "pg_control")
    switch FilePaths.contents(of: path, limit: 8192) {
    case .failure(let error): throw Failure(path: path, reason: "cannot read: \(error)")
    case .success(let bytes):
      return try bytes.withUnsafeBytes { bytes in Result { () throws(Failure) in try ControlFile(decoding: bytes, path: path) } }.get()
    }
  }

  /// Where the fields that move between versions are.
  struct Layout {
    /// Offset of `checkPointCopy`; 10 has `prevCheckPoint` before it.
    var checkpointCopy: Int
    /// `CheckPoint.nextXid` is a `FullTransactionId` (12+), else epoch and xid as two words.
    var fullTransactionIDs: Bool
    /// Offset of `CheckPoint.time` inside `CheckPoint`.
    var checkpointTimeOffset: Int
    /// `sizeof(CheckPoint)`.
    var checkpointSize: Int
    var crc: Int

    /// Offset of `unloggedLSN`, the first field after `checkPointCopy`; the fields after it
    /// keep their relative places in every version.
    var afterCheckpointCopy: Int { checkpointCopy + checkpointSize }

    init?(controlVersion: UInt32) {
      switch controlVersion {
      case 1002: self.init(checkpointCopy: 48, fullTransactionIDs: false, checkpointTimeOffset: 56, checkpointSize: 80, crc: 288)
      case 1100: self.init(checkpointCopy: 40, fullTransactionIDs: false, checkpointTimeOffset: 56, checkpointSize: 80, crc: 280)
      case 1201, 1300, 1700: self.init(checkpointCopy: 40, fullTransactionIDs: true, checkpointTimeOffset: 64, checkpointSize: 88, crc: 288)
      case 1800: self.init(checkpointCopy: 40, fullTransactionIDs: true, checkpointTimeOffset: 64, checkpointSize: 88, crc: 292)
      default: return nil
      }
    }

    init(checkpointCopy: Int, fullTransactionIDs: Bool, checkpointTimeOffset: Int, checkpointSize: Int, crc: Int) {
      self.checkpointCopy = checkpointCopy
      self.fullTransactionIDs = fullTransactionIDs
      self.checkpointTimeOffset = checkpointTimeOffset
      self.checkpointSize = checkpointSize
      self.crc = crc
    }
  }
}
