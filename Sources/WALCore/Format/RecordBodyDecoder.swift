/// What follows the block references in a record's headers.
package struct RecordBodyFacts {
  package var mainData: Range<Int> = 0..<0
  package var origin: UInt16?
  package var topLevelXID: UInt32?
  /// How many block references `decode` wrote.
  package var blockCount = 0
}

/// Decodes the block-reference and data headers after a record's fixed header and places each
/// payload, applying the consistency checks of PostgreSQL's `DecodeXLogRecord`.
package enum RecordBodyDecoder {
  enum BlockID {
    static let topLevelXID: UInt8 = 252
    static let origin: UInt8 = 253
    static let dataLong: UInt8 = 254
    static let dataShort: UInt8 = 255
  }

  enum ImageFlag {
    static let hasHole: UInt8 = 0x01
    static let legacyCompressed: UInt8 = 0x02
    static let legacyApply: UInt8 = 0x04
    static let apply: UInt8 = 0x02
    static let pglz: UInt8 = 0x04
    static let lz4: UInt8 = 0x08
    static let zstd: UInt8 = 0x10
  }

  /// Room for every block reference a record can have: ids 0…32, strictly increasing.
  package static let blockCapacity = Int(BlockReference.maximumID) + 1

  /// Decodes the record of `totalLength` bytes whose first bytes (header included, at least
  /// its whole header region) are `record`, writing its block references to `blocks`, which
  /// has room for ``blockCapacity``; ``RecordBodyFacts/blockCount`` says how many.
  ///
  /// - Throws: `invalid-record` with PostgreSQL's wording for the first inconsistency; the
  ///   caller adds the location.
  package static func decode(_ record: UnsafeRawBufferPointer, totalLength: Int, version: WALVersion, dataBlockSize: Int,
                     blocks: UnsafeMutablePointer<BlockReference>) throws(WALProblem) -> RecordBodyFacts
  {
    try decode(record, totalLength: totalLength, version: version, dataBlockSize: dataBlockSize, into: blocks)
  }

  /// The checks of ``decode(_:totalLength:version:dataBlockSize:blocks:)`` alone: the block
  /// references are counted, not written, and the main data placed. The reference that
  /// ``isConsistent(_:totalLength:version:dataBlockSize:)`` is held to by its tests and the
  /// fuzz target.
  package static func check(_ record: UnsafeRawBufferPointer, totalLength: Int, version: WALVersion,
                            dataBlockSize: Int) throws(WALProblem) -> RecordBodyFacts
  {
    try decode(record, totalLength: totalLength, version: version, dataBlockSize: dataBlockSize, into: nil)
  }

  @inline(__always)
  private static func decode(_ record: UnsafeRawBufferPointer, totalLength: Int, version: WALVersion, dataBlockSize: Int,
                             into blocks: UnsafeMutablePointer<BlockReference>?) throws(WALProblem) -> RecordBodyFacts
  {
    var facts = RecordBodyFacts()
    var reader = ByteReader(record, position: RecordHeader.size)
    /// Bytes of the record after the headers read so far (`remaining` in `DecodeXLogRecord`).
    func remaining() -> Int { totalLength - reader.position }
    var payloadTotal = 0
    var mainDataLength = 0
    var lastRelation: RelFileLocator?
    var highestID = -1

    func short() -> WALProblem { WALProblem(.invalidRecord, "record with invalid length: its headers run past its end") }

    headers: while remaining() > payloadTotal {
      guard let id = reader.read(UInt8.self) else { throw short() }
      switch id {
      case BlockID.dataShort:
        guard let length = reader.read(UInt8.self) else { throw short() }
        mainDataLength = Int(length)
        payloadTotal += mainDataLength
        break headers
      case BlockID.dataLong:
        guard let length = reader.read(UInt32.self) else { throw short() }
        mainDataLength = Int(length)
        payloadTotal += mainDataLength
        break headers
      case BlockID.origin:
        guard let origin = reader.read(UInt16.self) else { throw short() }
        facts.origin = origin
      case BlockID.topLevelXID where version.hasTopLevelXIDBlock:
        guard let xid = reader.read(UInt32.self) else { throw short() }
        facts.topLevelXID = xid
      case 0...BlockReference.maximumID:
        guard Int(id) > highestID else {
          throw WALProblem(.invalidRecord, "out-of-order block_id \(id)")
        }
        highestID = Int(id)
        let block = try decodeBlock(id: id, &reader, version: version, dataBlockSize: dataBlockSize,
                                    lastRelation: &lastRelation)
        payloadTotal += (block.image.map { $0.bytes.count } ?? 0) + block.data.count
        blocks?.advanced(by: facts.blockCount).initialize(to: block)
        facts.blockCount += 1
      default:
        throw WALProblem(.invalidRecord, "invalid block_id \(id)")
      }
    }

    guard remaining() == payloadTotal else {
      throw WALProblem(
        .invalidRecord,
        "record with invalid length: headers announce \(payloadTotal) payload bytes, \(remaining()) remain")
    }

    guard let blocks else {
      facts.mainData = (totalLength - mainDataLength)..<totalLength
      return facts
    }
    var position = reader.position
    for index in 0..<facts.blockCount {
      if let length = blocks[index].image?.bytes.count {
        blocks[index].image!.bytes = position..<(position + length)
        position += length
      }
      let dataLength = blocks[index].data.count
      blocks[index].data = position..<(position + dataLength)
      position += dataLength
    }
    facts.mainData = position..<(position + mainDataLength)
    return facts
  }

  /// Reads one block header (after its id byte). The image and data ranges it returns hold
  /// lengths only; `decode` places them once all headers are read.
  @inline(__always)
  private static func decodeBlock(id: UInt8, _ reader: inout ByteReader, version: WALVersion, dataBlockSize: Int,
                                  lastRelation: inout RelFileLocator?) throws(WALProblem) -> BlockReference
  {
    func short() -> WALProblem { WALProblem(.invalidRecord, "record with invalid length: block \(id) header runs past the record's end") }
    guard let forkFlags = reader.read(UInt8.self), let dataLength = reader.read(UInt16.self) else { throw short() }
    let flags = forkFlags & ~BlockReference.Flag.forkMask
    let hasData = forkFlags & BlockReference.Flag.hasData != 0
    if hasData && dataLength == 0 {
      throw WALProblem(.invalidRecord, "BKPBLOCK_HAS_DATA set, but no data included (block \(id))")
    }
    if !hasData && dataLength != 0 {
      throw WALProblem(.invalidRecord, "BKPBLOCK_HAS_DATA not set, but data length is \(dataLength) (block \(id))")
    }

    var image: BlockReference.Image?
    if forkFlags & BlockReference.Flag.hasImage != 0 {
      guard let imageLength = reader.read(UInt16.self), let holeOffset = reader.read(UInt16.self),
        let info = reader.read(UInt8.self)
      else { throw short() }
      let compression: BlockReference.Compression
      let isApplied: Bool
      if version.hasImageCompressionMethods {
        compression = info & ImageFlag.pglz != 0 ? .pglz : info & ImageFlag.lz4 != 0 ? .lz4 : info & ImageFlag.zstd != 0 ? .zstd : .none
        isApplied = info & ImageFlag.apply != 0
      } else {
        compression = info & ImageFlag.legacyCompressed != 0 ? .pglz : .none
        isApplied = info & ImageFlag.legacyApply != 0
      }
      let hasHole = info & ImageFlag.hasHole != 0
      var holeLength: UInt16 = 0
      if compression != .none && hasHole {
        guard let length = reader.read(UInt16.self) else { throw short() }
        holeLength = length
      } else if hasHole {
        holeLength = UInt16(truncatingIfNeeded: dataBlockSize - Int(imageLength))
      }
      if hasHole && (holeOffset == 0 || holeLength == 0 || Int(imageLength) == dataBlockSize) {
        throw WALProblem(.invalidRecord,
          "BKPIMAGE_HAS_HOLE set, but hole offset \(holeOffset) length \(holeLength) block image length \(imageLength) (block \(id))")
      }
      if !hasHole && (holeOffset != 0 || holeLength != 0) {
        throw WALProblem(.invalidRecord,
          "BKPIMAGE_HAS_HOLE not set, but hole offset \(holeOffset) length \(holeLength) (block \(id))")
      }
      if compression != .none && Int(imageLength) == dataBlockSize {
        throw WALProblem(.invalidRecord, "BKPIMAGE_COMPRESSED set, but block image length \(imageLength) (block \(id))")
      }
      if !hasHole && compression == .none && Int(imageLength) != dataBlockSize {
        throw WALProblem(.invalidRecord,
          "neither BKPIMAGE_HAS_HOLE nor BKPIMAGE_COMPRESSED set, but block image length is \(imageLength) (block \(id))")
      }
      image = BlockReference.Image(bytes: 0..<Int(imageLength), holeOffset: holeOffset, holeLength: holeLength,
                                   info: info, compression: compression, isApplied: isApplied)
    }

    let relation: RelFileLocator
    if forkFlags & BlockReference.Flag.sameRelation == 0 {
      guard let tablespace = reader.read(UInt32.self), let database = reader.read(UInt32.self),
        let number = reader.read(UInt32.self)
      else { throw short() }
      relation = RelFileLocator(tablespace: tablespace, database: database, relation: number)
      lastRelation = relation
    } else {
      guard let previous = lastRelation else {
        throw WALProblem(.invalidRecord, "BKPBLOCK_SAME_REL set but no previous rel (block \(id))")
      }
      relation = previous
    }
    guard let blockNumber = reader.read(UInt32.self) else { throw short() }
    return BlockReference(id: id, relation: relation, fork: ForkNumber(rawValue: forkFlags & BlockReference.Flag.forkMask),
                          blockNumber: blockNumber, flags: flags, data: 0..<Int(dataLength), image: image)
  }
}
