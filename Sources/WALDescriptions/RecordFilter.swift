import WALCore

/// Which records an inspection shows and counts: pg_waldump's `--rmgr`, `--xid`,
/// `--relation`, `--block`, `--fork` and `--fullpage`.
public struct RecordFilter: Sendable {
  /// Resource manager ids to keep; `nil` keeps all.
  public var resourceManagers: Set<UInt8>?
  public var xid: UInt32?
  /// Keep records with a block reference to this relation (and block, and fork, when set).
  public var relation: RelFileLocator?
  public var block: UInt32?
  public var fork: ForkNumber?
  /// Keep only records with a full-page image.
  public var fullPageImagesOnly = false

  public init(resourceManagers: Set<UInt8>? = nil, xid: UInt32? = nil, relation: RelFileLocator? = nil,
              block: UInt32? = nil, fork: ForkNumber? = nil, fullPageImagesOnly: Bool = false)
  {
    self.resourceManagers = resourceManagers
    self.xid = xid
    self.relation = relation
    self.block = block
    self.fork = fork
    self.fullPageImagesOnly = fullPageImagesOnly
  }

  /// True when no filter is set: every record passes.
  public var keepsEverything: Bool {
    resourceManagers == nil && xid == nil && relation == nil && block == nil && fork == nil && !fullPageImagesOnly
  }

  /// True when `record` passes every filter that is set.
  public func matches(_ record: WALRecord) -> Bool {
    if let resourceManagers, !resourceManagers.contains(record.header.resourceManagerID) { return false }
    if let xid, record.header.xid != xid { return false }
    if relation != nil || block != nil || fork != nil {
      // pg_waldump's XLogRecordMatchesRelationBlock: one block reference must match all.
      let matched = record.blocks.contains { reference in
        (relation == nil || reference.relation == relation) && (block == nil || reference.blockNumber == block)
          && (fork == nil || reference.fork == fork)
      }
      if !matched { return false }
    }
    if fullPageImagesOnly && !record.blocks.contains(where: \.hasImage) { return false }
    return true
  }
}
