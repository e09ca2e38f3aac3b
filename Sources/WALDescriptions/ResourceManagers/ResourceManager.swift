import WALCore

/// A resource manager: the part of PostgreSQL that writes, and replays, one family of records.
///
/// Ids 0–21 are built in and the same in 10–18 (`rmgrlist.h`); 128–255 are custom (15+),
/// named `custom###` as pg_waldump names them.
public struct ResourceManager: Hashable, Sendable, CustomStringConvertible {
  /// `xl_rmid`.
  public let id: UInt8
  /// The name pg_waldump prints: `Heap2`, `Btree`, `custom128`.
  public let name: String

  /// Built-in resource managers; the array index is the id.
  public static let builtIn: [ResourceManager] = BuiltInResourceManager.allCases.map {
    ResourceManager(id: $0.rawValue, name: $0.name)
  }

  private init(id: UInt8, name: String) {
    self.id = id
    self.name = name
  }

  /// The resource manager with this id; custom ids get pg_waldump's generated name, and ids
  /// no version uses get `invalid###`.
  public init(id: UInt8) {
    if Int(id) < Self.builtIn.count {
      self = Self.builtIn[Int(id)]
    } else if id >= ResourceManagerIDs.firstCustom {
      self.init(id: id, name: "custom" + String(repeating: "0", count: id < 100 ? 1 : 0) + String(id))
    } else {
      self.init(id: id, name: "invalid\(id)")
    }
  }

  /// The built-in resource manager with this name (as pg_waldump's `--rmgr` takes it,
  /// case-insensitive), or a custom one named `custom###`.
  public static func named(_ name: String) -> ResourceManager? {
    let lowered = name.lowercased()
    if let found = builtIn.first(where: { $0.name.lowercased() == lowered }) { return found }
    if lowered.hasPrefix("custom"), let id = UInt8(lowered.dropFirst(6)), id >= ResourceManagerIDs.firstCustom {
      return ResourceManager(id: id)
    }
    return nil
  }

  public var description: String { name }

  /// The built-in resource manager this is; `nil` for custom and invalid ids.
  public var builtIn: BuiltInResourceManager? { BuiltInResourceManager(rawValue: id) }
}

/// The built-in resource managers (`rmgrlist.h`): the same ids in 10–18.
public enum BuiltInResourceManager: UInt8, CaseIterable, Sendable {
  case xlog = 0, transaction, storage, clog, database, tablespace, multiXact, relationMap, standby, heap2, heap, btree,
    hash, gin, gist, sequence, spgist, brin, commitTs, replicationOrigin, generic, logicalMessage

  /// The name pg_waldump prints.
  public var name: String {
    switch self {
    case .xlog: "XLOG"
    case .transaction: "Transaction"
    case .storage: "Storage"
    case .clog: "CLOG"
    case .database: "Database"
    case .tablespace: "Tablespace"
    case .multiXact: "MultiXact"
    case .relationMap: "RelMap"
    case .standby: "Standby"
    case .heap2: "Heap2"
    case .heap: "Heap"
    case .btree: "Btree"
    case .hash: "Hash"
    case .gin: "Gin"
    case .gist: "Gist"
    case .sequence: "Sequence"
    case .spgist: "SPGist"
    case .brin: "BRIN"
    case .commitTs: "CommitTs"
    case .replicationOrigin: "ReplicationOrigin"
    case .generic: "Generic"
    case .logicalMessage: "LogicalMessage"
    }
  }
}

extension WALRecord {
  /// The resource manager that wrote the record.
  public var resourceManager: ResourceManager { ResourceManager(id: header.resourceManagerID) }
}
