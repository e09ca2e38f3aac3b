import WALCore

/// Files and directories as listing needs them, on a local file system or in object storage
/// (`s3://BUCKET/PREFIX`, where a key prefix is a directory), by the path's form.
package enum Storage {
  /// A directory entry: a name, its type when the listing tells it, and for an object its size
  /// and ETag.
  package struct Entry: Sendable {
    package var name: String
    package var type: Syscalls.FileType?
    package var object: RemoteObject?
  }

  package static func isRemote(_ path: String) -> Bool { S3Location.isRemote(path) }

  /// `stat` of a local path (following links); an object's or prefix's status.
  package static func status(of path: String) -> Result<Syscalls.FileStatus, StorageFailure> {
    if let location = S3Location(path) {
      do throws(StorageFailure) { return .success(try RemoteStore.shared().status(of: location)) } catch { return .failure(error) }
    }
    if isRemote(path) { return .failure(StorageFailure("\(path): expected s3://BUCKET[/PREFIX]")) }
    return Syscalls.status(of: path).mapError { StorageFailure($0.description, isNotFound: $0.isNotFound) }
  }

  package static func isDirectory(_ path: String) -> Bool { (try? status(of: path).get())?.isDirectory ?? false }

  package static func isRegularFile(_ path: String) -> Bool { (try? status(of: path).get())?.isRegularFile ?? false }

  /// The entries of `directory`, sorted by name (a local directory's by the names' bytes).
  package static func entries(of directory: String) -> Result<[Entry], StorageFailure> {
    if let location = S3Location(directory) {
      do throws(StorageFailure) { return .success(try RemoteStore.shared().entries(of: location)) } catch { return .failure(error) }
    }
    switch Syscalls.directoryEntries(directory) {
    case .failure(let error): return .failure(StorageFailure(error.description, isNotFound: error.isNotFound))
    case .success(let listed):
      return .success(NameOrder.sorted(listed))
    }
  }

  /// The object an `s3://` path named in a listing, with the size and ETag listed.
  package static func listedObject(_ path: String) -> RemoteObject? {
    guard isRemote(path), let store = try? RemoteStore.shared() else { return nil }
    return store.listedObject(at: path)
  }

  /// A small file read whole (a catalogue, a control file): a regular file or object of at
  /// most `limit` bytes, else a failure saying what it is.
  package static func contents(of path: String, limit: UInt64) -> Result<[UInt8], StorageFailure> {
    if let location = S3Location(path) {
      do throws(StorageFailure) {
        let store = try RemoteStore.shared()
        let object = try store.object(at: location)
        guard object.size <= limit else {
          return .failure(StorageFailure("\(object.size) bytes, more than the \(limit) expected"))
        }
        return .success(try store.client.getSmall(bucket: location.bucket, key: location.key, limit: Int(limit) + 1))
      } catch {
        return .failure(error)
      }
    }
    return LocalFiles.contents(of: path, limit: limit)
  }
}

/// Local files read whole.
package enum LocalFiles {
  /// A regular file of at most `limit` bytes, read whole.
  package static func contents(of path: String, limit: UInt64) -> Result<[UInt8], StorageFailure> {
    let fd: Int32
    let status: Syscalls.FileStatus
    switch Syscalls.openReadOnly(path) {
    case .failure(let error): return .failure(StorageFailure("cannot open: \(error)", isNotFound: error.isNotFound))
    case .success(let opened): (fd, status) = opened
    }
    defer { Syscalls.closeFile(fd) }
    guard case .regular = status.type else { return .failure(StorageFailure("expected a regular file; not read")) }
    guard status.size <= limit else { return .failure(StorageFailure("\(status.size) bytes, more than the \(limit) expected")) }
    var bytes = [UInt8](repeating: 0, count: Int(status.size))
    switch bytes.withUnsafeMutableBytes({ Syscalls.read(fd, into: $0, at: 0) }) {
    case .failure(let error): return .failure(StorageFailure("cannot read: \(error)"))
    case .success(let count): return .success(Array(bytes.prefix(count)))
    }
  }
}
