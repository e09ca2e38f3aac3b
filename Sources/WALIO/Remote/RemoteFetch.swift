import WALCore

/// An object's bytes (or its first bytes), fetched into a pooled buffer and checked against
/// its listing.
struct RemoteFetch: @unchecked Sendable {
  var buffer: UnsafeMutableRawBufferPointer
  var count: Int
  var object: RemoteObject
  /// The whole object, not only its first bytes.
  var isWhole: Bool

  func release() { if buffer.count > 0 { BufferPool.shared.give(buffer) } }

  /// Fetches the object at `path` (its first `prefix` bytes, at least 8 kB, when asked):
  /// refusing a version other than the one listed, and reporting an object that changed
  /// between its listing and its reading.
  static func fetch(_ path: String, prefix: Int? = nil) throws(WALProblem) -> RemoteFetch {
    let location = WALLocation(file: path)
    guard let s3 = S3Location(path) else {
      throw WALProblem(.unreadableFile, "expected s3://BUCKET/KEY", at: location)
    }
    let store: RemoteStore
    let object: RemoteObject
    do throws(StorageFailure) {
      store = try RemoteStore.shared()
      object = try store.object(at: s3)
    } catch {
      throw WALProblem(.unreadableFile, "cannot read: \(error)", at: location)
    }
    guard object.size > 0 else {
      return RemoteFetch(buffer: UnsafeMutableRawBufferPointer(start: nil, count: 0), count: 0, object: object, isWhole: true)
    }
    guard object.size <= SegmentData.maximumCompressedSize else {
      throw WALProblem(.unexpectedFile,
        "object of \(object.size) bytes is larger than any segment (at most \(SegmentData.maximumCompressedSize)); not read", at: location)
    }
    let wanted = Int(prefix.map { min(object.size, UInt64(max($0, 8192))) } ?? object.size)
    let buffer = BufferPool.shared.take(wanted)
    let count: Int
    let head: HTTPResponseHead
    do throws(StorageFailure) {
      (count, head) = try store.client.get(bucket: s3.bucket, key: s3.key, range: wanted < object.size ? 0..<UInt64(wanted) : nil,
                                           ifMatch: object.etag, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]))
    } catch {
      BufferPool.shared.give(buffer)
      if error.httpStatus == 412 {
        throw WALProblem(.changedWhileRead,
          "changed since it was listed (\(object.size) bytes, ETag \(object.etag)): the server no longer has that version (HTTP 412)",
          at: location)
      }
      if error.isLongerThanListed {
        throw WALProblem(.changedWhileRead, "grew since it was listed as \(object.size) bytes; not read", at: location)
      }
      throw WALProblem(.unreadableFile, "cannot read: \(error)", at: location)
    }
    var changed: String?
    if !head.etag.isEmpty, !object.etag.isEmpty, head.etag != object.etag {
      changed = "listed with ETag \(object.etag), read with ETag \(head.etag)"
    } else if count != wanted {
      changed = "listed as \(object.size) bytes, \(count) of the \(wanted) asked for came"
    }
    if let changed {
      BufferPool.shared.give(buffer)
      throw WALProblem(.changedWhileRead, "changed while read: \(changed)", at: location)
    }
    return RemoteFetch(buffer: buffer, count: count, object: object, isWhole: wanted == Int(object.size))
  }
}
