/// The block references of a record handed to a visitor, in block-id order. Like the record's
/// bytes they are borrowed from the reader, valid only during the call: `Array(record.blocks)`
/// keeps them.
public struct BlockReferences: RandomAccessCollection {
  @usableFromInline let base: UnsafePointer<BlockReference>?
  public let count: Int

  /// The `count` references at `base` (which must outlive every use).
  @inlinable
  package init(_ base: UnsafePointer<BlockReference>?, count: Int) {
    precondition(count >= 0 && (base != nil || count == 0))
    self.base = base
    self.count = count
  }

  @inlinable public var startIndex: Int { 0 }
  @inlinable public var endIndex: Int { count }

  @inlinable
  public subscript(position: Int) -> BlockReference {
    precondition(position >= 0 && position < count, "block reference index out of range")
    return base.unsafelyUnwrapped[position]
  }
}
