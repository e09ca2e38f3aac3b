/// The file a block belongs to: tablespace, database and relation file number
/// (PostgreSQL `RelFileLocator`, `RelFileNode` before 16). pg_waldump writes it `T/D/R`.
public struct RelFileLocator: Hashable, Sendable, CustomStringConvertible {
  public var tablespace: UInt32
  public var database: UInt32
  public var relation: UInt32

  public init(tablespace: UInt32, database: UInt32, relation: UInt32) {
    self.tablespace = tablespace
    self.database = database
    self.relation = relation
  }

  public var description: String { "\(tablespace)/\(database)/\(relation)" }
}

/// A relation fork (PostgreSQL `ForkNumber`).
public enum ForkNumber: Hashable, Sendable, CustomStringConvertible {
  case main, freeSpaceMap, visibilityMap, initialization
  /// A fork number PostgreSQL does not define (only the low 4 bits are stored).
  case other(UInt8)

  public init(rawValue: UInt8) {
    switch rawValue {
    case 0: self = .main
    case 1: self = .freeSpaceMap
    case 2: self = .visibilityMap
    case 3: self = .initialization
    default: self = .other(rawValue)
    }
  }

  public var rawValue: UInt8 {
    switch self {
    case .main: 0
    case .freeSpaceMap: 1
    case .visibilityMap: 2
    case .initialization: 3
    case .other(let value): value
    }
  }

  /// `main`, `fsm`, `vm`, `init`: PostgreSQL's fork names.
  public var description: String {
    switch self {
    case .main: "main"
    case .freeSpaceMap: "fsm"
    case .visibilityMap: "vm"
    case .initialization: "init"
    case .other(let value): "fork\(value)"
    }
  }
}
