import CWALSupport
import Synchronization
import WALCore

/// The bytes of one WAL file, read-only: a plain file read into a reused buffer (whole, or a
/// piece at a time as they are asked for), or mapped; or a decompressed one. The bytes live as
/// long as this object.
public final class SegmentData: @unchecked Sendable {
  /// Whether ``load(path:inflateLimit:prefix:named:access:)`` may map files (default true).
  ///
  /// The first mapping installs a process-wide SIGBUS handler, so that a file truncated by
  /// another process while mapped reads as zeros (``isCutShort``) instead of killing the
  /// process. Faults outside walkit's mappings are handed on to the handler the host program
  /// installed before, or end the process as they would have. A host that owns SIGBUS, or
  /// wants no handler installed, sets this to false before reading: files are then read into
  /// memory, never mapped.
  public static var mappingAllowed: Bool {
    get { mappingFlag.load(ordering: .relaxed) }
    set { mappingFlag.store(newValue, ordering: .relaxed) }
  }
  private static let mappingFlag = Atomic<Bool>(true)

  /// How the bytes reached memory.
  public enum Origin: Sendable, Equatable {
    /// Read from a plain file into a buffer.
    case read
    /// Decompressed from a file in that format.
    case decompressed(Compression)
    /// Handed over by the caller.
    case memory
  }

  /// How ``load(path:inflateLimit:prefix:named:access:)`` brings a plain file's bytes into memory.
  public enum Access: Sendable, Equatable {
    /// Read whole into a reused buffer.
    case read
    /// Mapped: the page cache's pages are read where they are, without the kernel's copy or
    /// the faults of new memory. A page the file loses while mapped (another process truncates
    /// it) reads as zeros, and ``isCutShort`` says so. The first mapping installs a
    /// process-wide SIGBUS handler for this (see ``mappingAllowed``); faults outside walkit's
    /// mappings are handed on to the handler the host program had before. Falls back to
    /// ``read`` when mapping is not allowed.
    case mapped
    /// Read a piece at a time into a reused buffer as the reader asks for more
    /// (``extend(toCover:)``, ``readToEnd()``): each piece is copied and checked while it is in
    /// the CPU's cache, and pieces past the one where reading stops are never read (see
    /// docs/benchmarks.md). A file that shrinks or fails while it is read is ``isCutShort``.
    /// One reader at a time. A file longer than 64 MiB (a segment of 128 MiB to 1 GiB) is
    /// mapped instead, as ``mapped`` says (read whole when mapping is not allowed): a buffer
    /// of its size per core would weigh on memory.
    case streamed
    /// Read whole like ``read``, in parts by `readers` threads at once: for a segment read
    /// alone, whose copy would otherwise fall to one core while the others wait for its parts.
    /// A file longer than 64 MiB is mapped instead, as for ``streamed``.
    case readInParallel(readers: Int)
  }

  /// The bytes at hand: the whole file, or for a streamed file the part read so far. They are
  /// freed with this object: read them only while it is held (a variable, a property), or
  /// through ``withUnsafeBytes(_:)``. `SegmentData.load(…).bytes` is a temporary's, which may
  /// be freed, and its buffer reused or unmapped, before they are read.
  public internal(set) var bytes: UnsafeRawBufferPointer

  /// Calls `body` with ``bytes``, keeping this object (and so the bytes) alive until it returns.
  public func withUnsafeBytes<Result, Failure: Error>(
    _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
  ) throws(Failure) -> Result {
    try withExtendedLifetime(self) { () throws(Failure) -> Result in try body(bytes) }
  }

  public let origin: Origin
  /// The size of the file on disk (the compressed size for a compressed file).
  public let storedSize: UInt64
  /// How the file was stored, as its content shows.
  public var compression: Compression {
    if case .decompressed(let format) = origin { return format }
    return .plain
  }
  /// The size of the content: the file's size for a plain file (of which at most one segment
  /// is read), the decompressed size for a compressed one.
  public var contentSize: UInt64 { origin == .read ? storedSize : UInt64(bytes.count) }
  private let ownership: Ownership

  /// What to give back when the bytes are no longer needed.
  enum Ownership { case none, allocation, pooled, mapping(slot: Int32) }

  /// Bytes allocated behind `bytes` (a pooled buffer may be longer than what was read).
  private let capacity: Int
  /// The file read, when only its beginning was (see ``isPrefix``).
  public internal(set) var path: String?
  /// True when only the first part of the file (or of its decompressed content) was read, on
  /// request: ``loadWhole()`` reads the rest.
  public internal(set) var isPrefix = false
  /// A compressed `.partial`: pg_receivewal's file of the segment it is receiving, which it
  /// does not pad, and whose stream is unfinished while it writes. Its content may end
  /// anywhere short of the segment's end.
  public internal(set) var isGrowingPartial = false
  /// The compression the file's name claims, for reading it again.
  var namedFormat: Compression?
  /// The open file of a streamed read with bytes still to read, else -1.
  var streamedFile: Int32 = -1
  /// How many bytes a streamed read reads in all.
  var streamedLength = 0
  /// A streamed read came up short: the file shrank or could not be read on.
  var streamCameShort = false
  /// True while a streamed file has bytes not yet read (``extend(toCover:)``).
  public var hasMoreToRead: Bool { streamedFile >= 0 }
  /// True when the file was mapped and is now shorter than what was mapped (another process
  /// truncated it): some of ``bytes`` may have read as zeros that the file never held; or when
  /// a streamed file ended or failed before all of it was read, or is now shorter than when it
  /// was opened.
  public var isCutShort: Bool {
    if streamCameShort || streamedFileShrank { return true }
    guard case .mapping(let slot) = ownership else { return false }
    return walkit_mapping_cut_short(slot) != 0
  }

  init(bytes: UnsafeRawBufferPointer, origin: Origin, storedSize: UInt64, ownership: Ownership, capacity: Int? = nil) {
    self.bytes = bytes
    self.origin = origin
    self.storedSize = storedSize
    self.ownership = ownership
    self.capacity = capacity ?? bytes.count
  }

  deinit {
    if streamedFile >= 0 { Syscalls.closeFile(streamedFile) }
    guard let base = bytes.baseAddress else { return }
    switch ownership {
    case .none: break
    case .allocation: base.deallocate()
    case .pooled: BufferPool.shared.give(UnsafeMutableRawBufferPointer(mutating: UnsafeRawBufferPointer(start: base, count: capacity)))
    case .mapping(let slot): walkit_unmap_file(base, bytes.count, slot)
    }
  }

  /// A copy of `bytes`, for tests and tools that build WAL in memory.
  public convenience init(copying bytes: some Collection<UInt8>) {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
    buffer.copyBytes(from: bytes)
    self.init(bytes: UnsafeRawBufferPointer(start: buffer.baseAddress, count: bytes.count), origin: .memory,
              storedSize: UInt64(bytes.count), ownership: .allocation)
  }

  /// Opens `path` read-only and reads it into memory: a plain file up to the segment size its
  /// long header announces (reusing buffers), a compressed file (its format detected by its
  /// magic bytes) decompressed, never to more than `inflateLimit` bytes.
  ///
  /// - Throws: `unexpected-file` for anything but a regular file, `unreadable-file` when it
  ///   cannot be opened, read or inflated.
  /// - Parameter prefix: read at most this many bytes of a plain file, or decompress a
  ///   compressed one only this far (its start is all a record continuing from the previous
  ///   segment usually needs); ``isPrefix`` then says so.
  /// - Parameter named: the format the file's name claims: used for the formats without magic
  ///   bytes (lzma, brotli) when the content is not plain WAL.
  /// - Parameter access: how a plain file read whole is brought into memory (``Access``);
  ///   whoever maps or streams must check ``isCutShort`` before trusting what was read. A file
  ///   read into a buffer is a copy: one that shrank while it was read is taken at the length
  ///   found (``storedSize``), which its scan then judges.
  public static func load(path: String, inflateLimit: (SegmentData) -> UInt64 = { _ in WALGeometry.standard.segmentSize },
                          prefix: Int? = nil, named: Compression? = nil, access: Access = .read) throws(WALProblem) -> SegmentData
  {
    if Storage.isRemote(path) { return try loadRemote(path: path, inflateLimit: inflateLimit, prefix: prefix, named: named) }
    let location = WALLocation(file: path)
    let fd: Int32
    let status: Syscalls.FileStatus
    switch Syscalls.openReadOnly(path) {
    case .failure(let error) where error.isNotFound:
      throw WALProblem(.removedWhileRead, "gone since it was listed (removed or renamed): not read", at: location)
    case .failure(let error):
      throw WALProblem(.unreadableFile, "cannot open: \(error)", at: location)
    case .success(let opened):
      (fd, status) = opened
    }
    var handedOver = false
    defer { if !handedOver { Syscalls.closeFile(fd) } }
    guard case .regular = status.type else {
      let what: String
      switch status.type {
      case .other(let text): what = text
      case .directory: what = "a directory"
      default: what = "not a regular file"
      }
      throw WALProblem(.unexpectedFile, "expected a regular file, found \(what); not read", at: location)
    }
    guard status.size > 0 else {
      return SegmentData(bytes: UnsafeRawBufferPointer(start: nil, count: 0), origin: .read, storedSize: 0, ownership: .none)
    }

    // The first page says what the file is and how much of it is a segment.
    var head = [UInt8](repeating: 0, count: Int(min(status.size, 8192)))
    let headCount: Int
    switch head.withUnsafeMutableBytes({ Syscalls.read(fd, into: $0, at: 0) }) {
    case .failure(let error): throw WALProblem(.unreadableFile, "cannot read: \(error)", at: location)
    case .success(let count): headCount = count
    }
    let format = head.withUnsafeBytes { storedFormat(head: UnsafeRawBufferPointer(rebasing: $0[0..<headCount]), named: named) }
    let isCompressed = format != .plain
    let wanted: UInt64
    if isCompressed {
      guard status.size <= maximumCompressedSize else {
        throw WALProblem(.unreadableFile,
          "compressed file of \(status.size) bytes is larger than any segment (at most \(maximumCompressedSize))", at: location)
      }
      wanted = status.size
    } else {
      let announced = head.withUnsafeBytes { announcedSegmentSize(in: UnsafeRawBufferPointer(rebasing: $0[0..<headCount])) }
      wanted = min(status.size, announced, prefix.map { UInt64(max($0, 8192)) } ?? .max)
    }
    let readers: Int? = if case .readInParallel(let readers) = access, !isCompressed { readers } else { nil }
    let access = (access == .streamed || readers != nil) && wanted > UInt64(BufferPool.largeSize) ? .mapped : access
    if access == .mapped, !isCompressed, prefix == nil, mappingAllowed {
      var slot: Int32 = -1
      if let base = walkit_map_file(fd, Int(wanted), &slot) {
        return SegmentData(bytes: UnsafeRawBufferPointer(start: base, count: Int(wanted)), origin: .read,
                           storedSize: status.size, ownership: .mapping(slot: slot))
      }
    }
    if access == .streamed, !isCompressed, prefix == nil, wanted > UInt64(headCount) {
      handedOver = true
      return head.withUnsafeBytes {
        streaming(fd, length: Int(wanted), head: UnsafeRawBufferPointer(rebasing: $0[0..<headCount]), storedSize: status.size)
      }
    }
    let data: SegmentData
    switch readPooled(fd, count: Int(wanted), sizeWhenOpened: isCompressed ? nil : status.size, readers: readers) {
    case .failure(let error): throw WALProblem(.unreadableFile, "cannot read: \(error)", at: location)
    case .success(let read): data = read
    }
    let read = data.bytes.count
    guard isCompressed else {
      if prefix != nil {
        let announced = head.withUnsafeBytes { announcedSegmentSize(in: UnsafeRawBufferPointer(rebasing: $0[0..<headCount])) }
        data.markPrefix(path: path, named: named, when: UInt64(read) < min(status.size, announced))
      }
      return data
    }
    let growing = path.hasSuffix(".partial")
    let expanded = try expand(data, format: format, prefix: prefix, path: path, named: named, limit: inflateLimit,
                              acceptsEarlyEnd: growing)
    expanded.isGrowingPartial = growing
    return expanded
  }

  /// The first `count` bytes of the open file `fd` in a pooled buffer, read by `readers` threads
  /// at once when given. A plain file (`sizeWhenOpened` given) that ends before `count` bytes
  /// shrank since it was opened: it is taken at the length its reading found, as
  /// ``storedSize`` then says, so that a segment cut short meanwhile is judged truncated rather
  /// than by its size when opened. A compressed file's stored size is what was read.
  package static func readPooled(_ fd: Int32, count: Int, sizeWhenOpened: UInt64?, readers: Int?) -> Result<SegmentData, SyscallError> {
    let buffer = BufferPool.shared.take(count)
    let target = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
    switch readers.map({ readInParts(fd, into: target, readers: $0) }) ?? Syscalls.read(fd, into: target, at: 0) {
    case .failure(let error):
      BufferPool.shared.give(buffer)
      return .failure(error)
    case .success(let read):
      let storedSize = sizeWhenOpened.map { read < count ? UInt64(read) : $0 } ?? UInt64(read)
      return .success(SegmentData(bytes: UnsafeRawBufferPointer(start: buffer.baseAddress, count: read), origin: .read,
                                  storedSize: storedSize, ownership: .pooled, capacity: buffer.count))
    }
  }

  /// Fills `target` from the start of the file as ``Syscalls/read(_:into:at:)`` does, in 2 MiB
  /// parts read by up to `readers` threads at once: fewer bytes when the file ends early (the
  /// parts after the first one cut short are dropped), a failure when a part before that fails.
  package static func readInParts(_ fd: Int32, into target: UnsafeMutableRawBufferPointer, readers: Int) -> Result<Int, SyscallError> {
    guard readers > 1, target.count >= 2 * BufferPool.hugePageSize else { return Syscalls.read(fd, into: target, at: 0) }
    // Parts of one huge page each, taken in turn by whichever reader is free: the calling
    // thread starts at once, while another core's thread may take most of a millisecond to
    // come (a virtual CPU woken from idle), so equal halves would leave it reading alone.
    let partSize = BufferPool.hugePageSize
    let starts = Array(stride(from: 0, to: target.count, by: partSize))
    // Each thread writes its own part: the buffer's address, not the buffer, crosses threads.
    let base = UInt(bitPattern: target.baseAddress), total = target.count
    let results = parallelMap(count: starts.count, workers: readers, context: {}) { index, _ in
      let start = starts[index], end = min(start + partSize, total)
      let part = UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(bitPattern: base)! + start, count: end - start)
      return Syscalls.read(fd, into: part, at: start)
    }
    for (index, result) in results.enumerated() {
      guard case .success(let count) = result else { return result }
      let start = starts[index]
      if count < min(partSize, target.count - start) { return .success(start + count) }
    }
    return .success(target.count)
  }

  /// Decompresses a compressed file's bytes: whole, or only their first `prefix` bytes of
  /// output when that is all that is asked for (the rest by ``loadWhole()``).
  static func expand(_ compressed: SegmentData, format: Compression, prefix: Int?, path: String, named: Compression?,
                     limit: (SegmentData) -> UInt64, acceptsEarlyEnd: Bool = false) throws(WALProblem) -> SegmentData
  {
    let location = WALLocation(file: path)
    guard let prefix else {
      return try Decompression.expand(compressed, format: format, location: location, limit: limit, acceptsEarlyEnd: acceptsEarlyEnd)
    }
    let (data, isWhole) = try Decompression.expandPrefix(compressed, format: format, location: location, count: max(prefix, 8192))
    data.markPrefix(path: path, named: named, when: !isWhole)
    return data
  }

  func markPrefix(path: String, named: Compression?, when partial: Bool) {
    self.path = path
    namedFormat = named
    isPrefix = partial
  }

  /// The whole file, read again, when only a prefix was (``isPrefix``); `nil` when it can no
  /// longer be read.
  public func loadWhole() -> SegmentData? {
    guard isPrefix, let path else { return nil }
    return try? SegmentData.load(path: path, inflateLimit: SegmentData.announcedSegmentSize, named: namedFormat)
  }

  /// The format of a file that starts with `head`: by magic bytes, else the format its name
  /// claims when that one has no magic and the content is not WAL.
  static func storedFormat(head: UnsafeRawBufferPointer, named: Compression?) -> Compression {
    if let detected = Compression.detect(head) { return detected }
    guard let named, named == .lzma || named == .brotli else { return .plain }
    let looksLikeWAL = head.count >= 2 && WALVersion(pageMagic: UInt16(head[0]) | UInt16(head[1]) << 8) != nil
    return looksLikeWAL ? .plain : named
  }

  /// Reads the beginning of a segment that a record continues into: 256 kB, reloaded whole by
  /// the scanner when the record needs more. `nil` when it cannot be read (its own reading
  /// says why); throws when it changed since it was listed, which its own reading may not see.
  package static func loadFollowing(path: String, named: Compression? = nil) throws(WALProblem) -> SegmentData? {
    do throws(WALProblem) {
      return try load(path: path, inflateLimit: announcedSegmentSize, prefix: 256 << 10, named: named)
    } catch {
      if error.kind == .changedWhileRead { throw error }
      return nil
    }
  }

  /// The largest compressed file read: a 1 GiB segment that does not compress, plus framing.
  static let maximumCompressedSize: UInt64 = (1 << 30) + (1 << 20)

  /// The segment size a file's long header announces, when it looks like a WAL long header;
  /// else 16 MiB. Bounds how far a compressed file may inflate.
  @Sendable public static func announcedSegmentSize(_ head: SegmentData) -> UInt64 {
    announcedSegmentSize(in: head.bytes)
  }

  /// The segment size a WAL long header at the start of `head` announces; else 16 MiB.
  static func announcedSegmentSize(in head: UnsafeRawBufferPointer) -> UInt64 {
    guard let header = PageHeader(decoding: head), WALVersion(pageMagic: header.magic) != nil, let long = header.long,
      let geometry = WALGeometry(segmentSize: UInt64(long.segmentSize), pageSize: UInt64(long.pageSize))
    else { return WALGeometry.standard.segmentSize }
    return geometry.segmentSize
  }

  /// Takes over a pooled buffer holding `count` decompressed bytes.
  static func owning(_ buffer: UnsafeMutableRawBufferPointer, count: Int, compression: Compression,
                     storedSize: UInt64) -> SegmentData
  {
    SegmentData(bytes: UnsafeRawBufferPointer(start: buffer.baseAddress, count: count), origin: .decompressed(compression),
                storedSize: storedSize, ownership: .pooled, capacity: buffer.count)
  }
}

