import WALCore

/// The rmgr-specific part of pg_waldump's description (`rm_desc`): what follows the record type,
/// before the block references.
enum RecordDetail {
  /// Each built-in resource manager's descriptions (one file each, as PostgreSQL's
  /// `rmgrdesc/*desc.c`), indexed by its id.
  static let describers: [any RecordDescriber.Type] = BuiltInResourceManager.allCases.map(describer)

  static func describer(_ resourceManager: BuiltInResourceManager) -> any RecordDescriber.Type {
    switch resourceManager {
    case .xlog: XLogDetail.self
    case .transaction: TransactionDetail.self
    case .storage: StorageDetail.self
    case .clog: CLOGDetail.self
    case .database: DatabaseDetail.self
    case .tablespace: TablespaceDetail.self
    case .multiXact: MultiXactDetail.self
    case .relationMap: RelationMapDetail.self
    case .standby: StandbyDetail.self
    case .heap2: Heap2Detail.self
    case .heap: HeapDetail.self
    case .btree: BtreeDetail.self
    case .hash: HashDetail.self
    case .gin: GinDetail.self
    case .gist: GistDetail.self
    case .sequence: SequenceDetail.self
    case .spgist: SPGistDetail.self
    case .brin: BRINDetail.self
    case .commitTs: CommitTsDetail.self
    case .replicationOrigin: ReplicationOriginDetail.self
    case .generic: GenericDetail.self
    case .logicalMessage: LogicalMessageDetail.self
    }
  }

  /// Appends the description to a line being written; false (nothing appended) when the
  /// record's bytes do not hold what its type promises, or its resource manager is custom.
  /// Heap records, B-tree insertions, commits, visibility and multi-inserts, most of a
  /// listing, are written straight as bytes.
  static func append(_ record: WALRecord, to bytes: TextBuffer) -> Bool {
    switch BuiltInResourceManager(rawValue: record.header.resourceManagerID) {
    case .heap: return HeapDetail.append(record, to: bytes)
    case .btree where BtreeDetail.isInsertion(record): return BtreeDetail.appendInsertion(record, to: bytes)
    case .transaction where TransactionDetail.isCompletion(record): return TransactionDetail.appendCompletion(record, to: bytes)
    case .heap2 where Heap2Detail.isCommon(record): return Heap2Detail.appendCommon(record, to: bytes)
    default:
      guard let text = describe(record) else { return false }
      LineFormatting.append(text, to: bytes)
      return true
    }
  }

  static func describe(_ record: WALRecord) -> String? {
    let id = Int(record.header.resourceManagerID)
    guard id < describers.count else { return nil }
    return describers[id].describe(record)
  }
}

extension WALRecord {
  /// pg_waldump's description of the record: its type name, the rmgr-specific detail where
  /// walkit has it, and the block references (`, blkref #0: rel 1663/5/16384 blk 0 FPW`).
  public var pgWaldumpDescription: String {
    let bytes = TextBuffer(capacity: 256)
    appendPgWaldumpDescription(to: bytes)
    return bytes.text
  }

  /// The line pg_waldump prints for the record:
  /// `rmgr: Heap        len (rec/tot):     54/    54, tx:        735, lsn: 0/01A5C2D8, prev 0/01A5C2A0, desc: …`
  public var pgWaldumpLine: String {
    let bytes = TextBuffer(capacity: 256)
    appendPgWaldumpLine(to: bytes)
    return bytes.text
  }

  /// The record line without block references, then one line per block reference in
  /// detail, as `pg_waldump --bkp-details` prints them (each line ends with a newline); the
  /// compression method of an image is named from 15, as pg_waldump does.
  public var pgWaldumpLineWithBlockDetails: String {
    let bytes = TextBuffer(capacity: 256)
    appendPgWaldumpPrefix(to: bytes)
    appendPgWaldumpDescription(to: bytes, withBlocks: false)
    var text = bytes.text + "\n"
    for block in blocks {
      text += "\tblkref #\(block.id): rel \(block.relation) fork \(block.fork) blk \(block.blockNumber)"
      if let image = block.image {
        text += " (FPW\(image.isApplied ? "" : " for WAL verification")); hole: offset: \(image.holeOffset), length: \(image.holeLength)"
        if image.compression != .none {
          text += ", compression saved: \(8192 - Int(image.holeLength) - image.bytes.count)"
          if version.major >= 15 { text += ", method: \(image.compression.rawValue)" }
        }
      }
      text += "\n"
    }
    return text
  }

  /// The rmgr-specific part of pg_waldump's description alone: what follows the record type,
  /// without the block references (empty when the record's bytes do not hold what its type
  /// promises).
  public var pgWaldumpDetail: String {
    let bytes = TextBuffer(capacity: 256)
    return RecordDetail.append(self, to: bytes) ? bytes.text : ""
  }
}
