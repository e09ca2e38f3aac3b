import WALCore

extension SegmentData {
  /// ``load(path:inflateLimit:prefix:named:access:)`` of an `s3://` object: fetched whole (or
  /// its first `prefix` bytes, fetched whole after all when it turns out compressed), read
  /// ahead when a ``RemoteReadAhead`` is running, then taken as a file's bytes are.
  static func loadRemote(path: String, inflateLimit: (SegmentData) -> UInt64, prefix: Int?,
                         named: Compression?) throws(WALProblem) -> SegmentData
  {
    let fetch: RemoteFetch
    if prefix == nil, let readAhead = RemoteReadAhead.take(path) {
      fetch = try readAhead.get()
    } else if let prefix, let copy = RemoteReadAhead.peek(path, count: max(prefix, 8192)) {
      fetch = copy
    } else {
      fetch = try RemoteFetch.fetch(path, prefix: prefix)
    }
    guard fetch.count > 0, let base = fetch.buffer.baseAddress else {
      fetch.release()
      return SegmentData(bytes: UnsafeRawBufferPointer(start: nil, count: 0), origin: .read, storedSize: 0, ownership: .none)
    }
    let fetched = UnsafeRawBufferPointer(start: base, count: fetch.count)
    let head = UnsafeRawBufferPointer(rebasing: fetched.prefix(8192))
    let format = storedFormat(head: head, named: named)
    if format != .plain {
      guard fetch.isWhole else {
        // A compressed stream's start needs the object's start only, but the objects are
        // small: fetch it whole, then decompress as far as asked.
        fetch.release()
        let whole: RemoteFetch
        if let copy = RemoteReadAhead.peek(path, count: nil) { whole = copy } else { whole = try RemoteFetch.fetch(path) }
        let compressed = SegmentData(bytes: UnsafeRawBufferPointer(start: whole.buffer.baseAddress, count: whole.count),
                                     origin: .read, storedSize: whole.object.size, ownership: .pooled, capacity: whole.buffer.count)
        return try expand(compressed, format: format, prefix: prefix, path: path, named: named, limit: inflateLimit)
      }
      let compressed = SegmentData(bytes: fetched, origin: .read, storedSize: fetch.object.size, ownership: .pooled,
                                   capacity: fetch.buffer.count)
      return try expand(compressed, format: format, prefix: prefix, path: path, named: named, limit: inflateLimit)
    }
    let announced = announcedSegmentSize(in: head)
    let data = SegmentData(bytes: UnsafeRawBufferPointer(start: base, count: Int(min(UInt64(fetch.count), announced))),
                           origin: .read, storedSize: fetch.object.size, ownership: .pooled, capacity: fetch.buffer.count)
    if prefix != nil { data.markPrefix(path: path, named: named, when: UInt64(fetch.count) < min(fetch.object.size, announced)) }
    return data
  }
}
