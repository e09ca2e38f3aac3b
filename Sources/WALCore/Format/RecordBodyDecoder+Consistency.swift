extension RecordBodyDecoder {
  /// Whether ``check(_:totalLength:version:dataBlockSize:)`` accepts the record: the same
  /// reads and checks, in the same order, without gathering facts or wording problems. For the
  /// record loop's common case, where a record only has to be found valid; anything it rejects
  /// is read again by `check`, which says why.
  @inline(__always)
  package static func isConsistent(_ record: UnsafeRawBufferPointer, totalLength: Int, version: WALVersion,
                                   dataBlockSize: Int) -> Bool
  {
    guard let base = record.baseAddress else { return false }
    let count = record.count
    @inline(__always) func load<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
      T(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
    var position = RecordHeader.size
    var payloadTotal = 0
    var highestID = -1
    var hasRelation = false
    headers: while totalLength &- position > payloadTotal {
      guard position < count else { return false }
      let id = base.load(fromByteOffset: position, as: UInt8.self)
      position &+= 1
      switch id {
      case BlockID.dataShort:
        guard count &- position >= 1 else { return false }
        payloadTotal &+= Int(load(position, UInt8.self))
        position &+= 1
        break headers
      case BlockID.dataLong:
        guard count &- position >= 4 else { return false }
        payloadTotal &+= Int(load(position, UInt32.self))
        position &+= 4
        break headers
      case BlockID.origin:
        guard count &- position >= 2 else { return false }
        position &+= 2
      case BlockID.topLevelXID where version.hasTopLevelXIDBlock:
        guard count &- position >= 4 else { return false }
        position &+= 4
      case 0...BlockReference.maximumID:
        guard Int(id) > highestID, count &- position >= 3 else { return false }
        highestID = Int(id)
        let forkFlags = load(position, UInt8.self)
        let dataLength = Int(load(position &+ 1, UInt16.self))
        position &+= 3
        guard (forkFlags & BlockReference.Flag.hasData != 0) == (dataLength != 0) else { return false }
        if forkFlags & BlockReference.Flag.hasImage != 0 {
          guard count &- position >= 5 else { return false }
          let imageLength = Int(load(position, UInt16.self))
          let holeOffset = load(position &+ 2, UInt16.self)
          let info = load(position &+ 4, UInt8.self)
          position &+= 5
          let isCompressed = version.hasImageCompressionMethods
            ? info & (ImageFlag.pglz | ImageFlag.lz4 | ImageFlag.zstd) != 0
            : info & ImageFlag.legacyCompressed != 0
          let hasHole = info & ImageFlag.hasHole != 0
          var holeLength: UInt16 = 0
          if isCompressed && hasHole {
            guard count &- position >= 2 else { return false }
            holeLength = load(position, UInt16.self)
            position &+= 2
          } else if hasHole {
            holeLength = UInt16(truncatingIfNeeded: dataBlockSize &- imageLength)
          }
          if hasHole {
            guard holeOffset != 0, holeLength != 0, imageLength != dataBlockSize else { return false }
          } else {
            guard holeOffset == 0, holeLength == 0 else { return false }
          }
          guard !(isCompressed && imageLength == dataBlockSize), hasHole || isCompressed || imageLength == dataBlockSize
          else { return false }
          payloadTotal &+= imageLength
        }
        if forkFlags & BlockReference.Flag.sameRelation == 0 {
          guard count &- position >= 12 else { return false }
          position &+= 12
          hasRelation = true
        } else {
          guard hasRelation else { return false }
        }
        guard count &- position >= 4 else { return false }
        position &+= 4
        payloadTotal &+= dataLength
      default:
        return false
      }
    }
    return totalLength &- position == payloadTotal
  }
}
