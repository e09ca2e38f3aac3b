import WALKit

/// A data directory in `walkit gaps --json`'s `start`: what it is, why replay starts where it
/// does, and its `pg_control` fields as `pg_controldata` names them.
struct DataDirectoryJSON: Encodable {
  struct Control: Encodable {
    var systemIdentifier: String
    var pgControlVersion: UInt32
    var catalogVersion: UInt32
    var state: String
    var checkpointLSN: String
    var redoLSN: String
    var timeline: UInt32
    var previousTimeline: UInt32
    var fullPageWrites: Bool
    var nextXID: String
    var minRecoveryPointLSN: String
    var minRecoveryPointTimeline: UInt32
    var backupStartLSN: String
    var backupEndLSN: String
    var backupEndRequired: Bool
    var walLevel: String
    var blockSize: UInt32
    var walBlockSize: UInt32
    var walSegmentSize: UInt32
    var dataChecksumVersion: UInt32

    init(_ control: ControlFile) {
      systemIdentifier = String(control.systemIdentifier)
      pgControlVersion = control.controlVersion
      catalogVersion = control.catalogVersion
      state = control.state.description
      checkpointLSN = control.checkpoint.description
      redoLSN = control.redo.description
      timeline = control.checkpointTimeline.rawValue
      previousTimeline = control.previousTimeline.rawValue
      fullPageWrites = control.fullPageWrites
      nextXID = "\(control.nextTransactionID >> 32):\(UInt32(truncatingIfNeeded: control.nextTransactionID))"
      minRecoveryPointLSN = control.minRecoveryPoint.description
      minRecoveryPointTimeline = control.minRecoveryPointTimeline.rawValue
      backupStartLSN = control.backupStart.description
      backupEndLSN = control.backupEnd.description
      backupEndRequired = control.backupEndRequired
      walLevel = control.walLevelName
      blockSize = control.blockSize
      walBlockSize = control.walBlockSize
      walSegmentSize = control.walSegmentSize
      dataChecksumVersion = control.dataChecksumVersion
    }
  }

  var path: String
  var kind: String
  var reason: String
  var control: Control

  init(_ directory: DataDirectory) {
    path = directory.path
    kind = directory.kind.rawValue
    reason = directory.reason
    control = Control(directory.control)
  }
}

/// `catchUp` in `walkit gaps --json`: the answer for a standby and its primary.
struct CatchUpJSON: Encodable {
  struct Slot: Encodable {
    var name: String
    var physical: Bool
    @NullEncoded var restartLSN: String?
  }

  struct Range: Encodable {
    var first: String
    var last: String
    var segments: UInt64
  }

  var verdict: String
  var primary: String
  var primaryWAL: String
  var archiveOnly: [Range]
  var slots: [Slot]
  var slotErrors: [String]
  @NullEncoded var holdingSlot: String?
  var bytesToReplay: UInt64
  var segmentsToReplay: UInt64

  init(_ catchUp: CatchUp) {
    verdict = catchUp.verdict.rawValue
    primary = catchUp.primary
    primaryWAL = catchUp.primaryWAL
    archiveOnly = catchUp.archiveOnly.map { Range(first: $0.first.description, last: $0.last.description, segments: $0.count) }
    slots = catchUp.slots.map { Slot(name: $0.name, physical: $0.isPhysical, restartLSN: $0.restartLSN?.description) }
    slotErrors = catchUp.slotFailures.map(\.description)
    holdingSlot = catchUp.holdingSlot?.name
    bytesToReplay = catchUp.bytesToReplay
    segmentsToReplay = catchUp.segmentsToReplay
  }
}

/// `recoveryTarget` and `recoveryStop` in `walkit gaps --json`.
struct RecoveryStopJSON: Encodable {
  var lsn: String
  var endLSN: String
  var before: Bool
  var replayedThroughLSN: String
  var type: String
  @NullEncoded var xid: UInt32?
  @NullEncoded var time: String?
  var message: String

  init(_ stop: RecoveryStop) {
    lsn = stop.lsn.description
    endLSN = stop.end.description
    before = stop.before
    replayedThroughLSN = stop.replayedThrough.description
    type = stop.typeName
    xid = stop.xid
    time = stop.time.map(RecoveryTarget.serverTime)
    message = stop.message
  }
}

struct RecoveryTargetJSON: Encodable {
  var target: String
  var inclusive: Bool
}
