/// Bytes of text being written, in memory that grows as needed: record listings write
/// millions of short fields, and an array's checks on every append cost more than the writing.
public final class TextBuffer: @unchecked Sendable {
  @exclusivity(unchecked) @usableFromInline var storage: UnsafeMutablePointer<UInt8>
  @exclusivity(unchecked) @usableFromInline var capacity: Int
  @exclusivity(unchecked) @usableFromInline var written = 0
  /// Bytes written.
  @inlinable public var count: Int { written }

  @inlinable
  public init(capacity: Int = 1 << 16) {
    self.capacity = max(capacity, 64)
    storage = Syscalls.reallocate(nil, to: self.capacity).assumingMemoryBound(to: UInt8.self)
  }

  deinit { Syscalls.release(storage) }

  /// The bytes written, valid until the next write.
  @inlinable
  public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage, count: count) }

  /// Forgets what was written, keeping the memory.
  @inlinable
  public func removeAll() { written = 0 }

  /// The bytes written, as text.
  @inlinable
  public var text: String { String(decoding: bytes, as: UTF8.self) }

  /// Makes room for `more` bytes.
  @inline(__always)
  @inlinable
  func reserve(_ more: Int) {
    if count + more > capacity { grow(count + more) }
  }

  @usableFromInline func grow(_ needed: Int) {
    var newCapacity = capacity * 2
    while newCapacity < needed { newCapacity *= 2 }
    // Large blocks grow by remapping their pages, without copying or touching them.
    storage = Syscalls.reallocate(storage, to: newCapacity).assumingMemoryBound(to: UInt8.self)
    capacity = newCapacity
  }

  @inline(__always)
  @inlinable
  public func append(_ byte: UInt8) {
    reserve(1)
    storage[count] = byte
    written += 1
  }

  @inline(__always)
  @inlinable
  public func append(_ bytes: UnsafeRawBufferPointer) {
    reserve(bytes.count)
    if let base = bytes.baseAddress { (storage + count).update(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count) }
    written += bytes.count
  }

  @inline(__always)
  @inlinable
  public func append(_ text: StaticString) {
    append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  /// Appends a string's UTF-8. Disfavoured so that a literal is appended as a `StaticString`,
  /// without building a `String` at run time.
  @_disfavoredOverload
  @inlinable
  public func append(_ text: String) {
    var text = text
    text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
  }

  /// Writes up to `maximum` bytes in place through `write`, which returns how many it wrote.
  @inline(__always)
  @inlinable
  package func write(upTo maximum: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
    reserve(maximum)
    written += write(storage + count)
  }
}
