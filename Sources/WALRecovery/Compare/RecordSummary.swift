import WALCore
import WALIO
import WALReader
import WALDescriptions

/// A record's identity, small enough to keep many: what a comparison shows side by side.
public struct RecordSummary: Hashable, Sendable {
  public var lsn: LSN
  public var end: LSN
  public var previous: LSN
  public var xid: UInt32
  public var resourceManagerID: UInt8
  public var info: UInt8
  public var totalLength: UInt32
  /// Bytes of full-page images (pg_waldump's "FPI size").
  public var fullPageImageLength: UInt32
  public var version: WALVersion

  init(_ record: WALRecord) {
    lsn = record.lsn
    end = record.end
    previous = record.header.previous
    xid = record.header.xid
    resourceManagerID = record.header.resourceManagerID
    info = record.header.info
    totalLength = record.header.totalLength
    fullPageImageLength = UInt32(record.fullPageImageLength)
    version = record.version
  }

  public var resourceManager: ResourceManager { ResourceManager(id: resourceManagerID) }

  /// The record type as pg_waldump names it.
  public var typeName: String {
    RecordTypeNames.displayName(resourceManager: resourceManagerID, info: info, version: version)
  }

  /// True for a transaction's commit (`Transaction/COMMIT` or `COMMIT_PREPARED`).
  public var isCommit: Bool {
    RecordHeader.isCommit(resourceManagerID: resourceManagerID, info: info)
  }
}
