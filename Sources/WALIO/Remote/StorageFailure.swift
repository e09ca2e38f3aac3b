/// Why a file, directory or object could not be listed or read, in words.
public struct StorageFailure: Error, Sendable, CustomStringConvertible, Equatable {
  public var description: String
  /// The HTTP status of an object storage failure (0 for a local one or a transport failure).
  public var httpStatus: Int
  /// Nothing is there (a local ENOENT, an object storage 404).
  public var isNotFound: Bool
  /// The answer was longer than the object's listed size: it grew after it was listed.
  public var isLongerThanListed: Bool

  public init(_ description: String, httpStatus: Int = 0, isNotFound: Bool = false, isLongerThanListed: Bool = false) {
    self.description = description
    self.httpStatus = httpStatus
    self.isNotFound = isNotFound
    self.isLongerThanListed = isLongerThanListed
  }
}
