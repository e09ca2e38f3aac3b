import WALCore

/// Directory entries put in the order of their names' bytes (as `LC_ALL=C ls` lists them).
///
/// The sort moves small keys of plain integers, not the entries: moving strings through a
/// merge sort retained and released them at every step, a fifth of the time to list an archive
/// of 200,000 files.
enum NameOrder {
  static func sorted(_ listed: [Syscalls.DirectoryEntry]) -> [Storage.Entry] {
    var keys = listed.indices.map { NameKey(listed[$0].name, index: $0) }
    keys.sort { left, right in
      if left.prefix != right.prefix { return left.prefix < right.prefix }
      return listed[left.index].name.utf8.lexicographicallyPrecedes(listed[right.index].name.utf8)
    }
    return keys.map { Storage.Entry(name: listed[$0.index].name, type: listed[$0.index].type, object: nil) }
  }
}

/// A name's first 24 bytes packed big-endian into integers that compare as the bytes do (a
/// segment name whole), and where the name is in the listing.
private struct NameKey {
  struct Prefix: Comparable {
    var first: UInt64 = 0, second: UInt64 = 0, third: UInt64 = 0

    static func < (left: Prefix, right: Prefix) -> Bool {
      (left.first, left.second, left.third) < (right.first, right.second, right.third)
    }
  }

  var prefix = Prefix()
  let index: Int

  init(_ name: String, index: Int) {
    self.index = index
    for (position, byte) in name.utf8.prefix(24).enumerated() {
      let shift = UInt64(56 - 8 * (position % 8))
      switch position / 8 {
      case 0: prefix.first |= UInt64(byte) << shift
      case 1: prefix.second |= UInt64(byte) << shift
      default: prefix.third |= UInt64(byte) << shift
      }
    }
  }
}
