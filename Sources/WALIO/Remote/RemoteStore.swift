import Synchronization
import WALCore

/// Object storage seen as files and directories: a key prefix ending in `/` is a directory.
/// Listings are kept for the run, so that what was listed is what is read (by size and ETag)
/// and nothing is asked twice.
package final class RemoteStore: Sendable {
  package let client: S3Client
  private let state = Mutex(State())

  private struct State {
    var listings: [String: [Storage.Entry]] = [:]
    var objects: [String: RemoteObject] = [:]
    var directories: Set<String> = []
  }

  package init(client: S3Client) { self.client = client }

  private static let sharedStore = Mutex<Result<RemoteStore, StorageFailure>?>(nil)

  /// The store every `s3://` path is read through, configured from the environment and the
  /// AWS files on first use (see ``S3Configuration/fromEnvironment(_:)``).
  package static func shared() throws(StorageFailure) -> RemoteStore {
    let result = sharedStore.withLock { stored in
      if let stored { return stored }
      let made: Result<RemoteStore, StorageFailure>
      do throws(StorageFailure) {
        made = .success(RemoteStore(client: try S3Client(configuration: try S3Configuration.fromEnvironment(Syscalls.environment))))
      } catch {
        made = .failure(error)
      }
      stored = made
      return made
    }
    return try result.get()
  }

  /// Makes the store every `s3://` path is read through use `configuration` instead of the
  /// environment's: for a host program (or a test) that configures walkit itself. Takes effect
  /// only before the first `s3://` path is read.
  package static func configureShared(_ configuration: S3Configuration) throws(StorageFailure) {
    let store = RemoteStore(client: try S3Client(configuration: configuration))
    sharedStore.withLock { stored in if stored == nil { stored = .success(store) } }
  }

  /// The objects and subdirectories directly under `location`, sorted by name.
  package func entries(of location: S3Location) throws(StorageFailure) -> [Storage.Entry] {
    let prefix = location.directoryPrefix
    let directory = S3Location(bucket: location.bucket, key: prefix).description
    if let cached = state.withLock({ $0.listings[directory] }) { return cached }
    var entries: [Storage.Entry] = []
    var objects: [(String, RemoteObject)] = []
    var directories: [String] = []
    try client.list(bucket: location.bucket, prefix: prefix) { page in
      for object in page.objects {
        let name = String(object.key.dropFirst(prefix.count))
        guard !name.isEmpty else { continue }
        let remote = RemoteObject(size: object.size, etag: object.etag)
        entries.append(Storage.Entry(name: name, type: .regular, object: remote))
        objects.append((S3Location(bucket: location.bucket, key: object.key).description, remote))
      }
      for common in page.commonPrefixes {
        let name = String(common.dropFirst(prefix.count).dropLast())
        guard !name.isEmpty else { continue }
        entries.append(Storage.Entry(name: name, type: .directory, object: nil))
        directories.append(S3Location(bucket: location.bucket, key: String(common.dropLast())).description)
      }
    }
    entries.sort { $0.name < $1.name }
    state.withLock { state in
      state.listings[directory] = entries
      for (path, object) in objects { state.objects[path] = object }
      state.directories.formUnion(directories)
      state.directories.insert(S3Location(bucket: location.bucket, key: String(prefix.dropLast())).description)
    }
    return entries
  }

  /// What `location` is: an object (a regular file of its size) or a prefix (a directory).
  package func status(of location: S3Location) throws(StorageFailure) -> Syscalls.FileStatus {
    let path = location.description
    let known = state.withLock { state -> Syscalls.FileStatus? in
      if let object = state.objects[path] { return Syscalls.FileStatus(type: .regular, size: object.size) }
      return state.directories.contains(path) ? Syscalls.FileStatus(type: .directory, size: 0) : nil
    }
    if let known { return known }
    if !location.key.isEmpty && !location.key.hasSuffix("/"), let object = try client.head(bucket: location.bucket, key: location.key) {
      state.withLock { $0.objects[path] = object }
      return Syscalls.FileStatus(type: .regular, size: object.size)
    }
    var found = false
    try client.list(bucket: location.bucket, prefix: location.directoryPrefix, maxKeys: 1, pages: 1) { page in
      found = found || !page.objects.isEmpty || !page.commonPrefixes.isEmpty
    }
    // A bucket's root is a directory even when empty; listing it checked that it exists.
    guard found || location.directoryPrefix.isEmpty else {
      throw StorageFailure("no such object, and no keys under \(location.directoryPrefix)", httpStatus: 404, isNotFound: true)
    }
    state.withLock { _ = $0.directories.insert(S3Location(bucket: location.bucket, key: String(location.directoryPrefix.dropLast())).description) }
    return Syscalls.FileStatus(type: .directory, size: 0)
  }

  /// The object at `location` as listed, else as a HEAD request finds it now.
  package func object(at location: S3Location) throws(StorageFailure) -> RemoteObject {
    if let listed = state.withLock({ $0.objects[location.description] }) { return listed }
    guard let object = try client.head(bucket: location.bucket, key: location.key) else {
      throw StorageFailure("no such object", httpStatus: 404, isNotFound: true)
    }
    state.withLock { $0.objects[location.description] = object }
    return object
  }

  /// The object at `location` as listed, without asking the server.
  package func listedObject(at path: String) -> RemoteObject? {
    guard let location = S3Location(path) else { return nil }
    return state.withLock { $0.objects[location.description] }
  }
}
