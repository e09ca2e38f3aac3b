/// An `s3://BUCKET/KEY` path: a bucket and a key, or a key prefix standing for a directory.
public struct S3Location: Hashable, Sendable, CustomStringConvertible {
  public static let scheme = "s3://"

  public var bucket: String
  /// The key, without a leading slash; empty for the bucket's root.
  public var key: String

  public init(bucket: String, key: String) {
    self.bucket = bucket
    self.key = key
  }

  /// Parses `s3://BUCKET[/KEY]`; `nil` for anything else or an empty bucket name.
  public init?(_ path: String) {
    guard path.hasPrefix(Self.scheme) else { return nil }
    let rest = path.dropFirst(Self.scheme.count)
    let bucket = rest.prefix { $0 != "/" }
    guard !bucket.isEmpty else { return nil }
    self.bucket = String(bucket)
    key = String(rest.dropFirst(bucket.count).drop { $0 == "/" })
  }

  /// Whether `path` is an object storage path rather than a local one.
  public static func isRemote(_ path: String) -> Bool { path.hasPrefix(scheme) }

  /// The key as a directory prefix: empty, or ending in `/`.
  public var directoryPrefix: String {
    var trimmed = Substring(key)
    while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    return trimmed.isEmpty ? "" : trimmed + "/"
  }

  public var description: String { Self.scheme + bucket + (key.isEmpty ? "" : "/" + key) }
}
