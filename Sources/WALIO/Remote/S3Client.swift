import CWALSupport
import WALCore

/// ListObjectsV2, HEAD and GET against S3 or an S3-compatible server, signed by libcurl
/// (AWS Signature V4), with retries: read-only, it sends nothing else.
package final class S3Client: Sendable {
  package let configuration: S3Configuration
  private let connections: HTTPConnections

  /// The SHA-256 of an empty body, which every signed GET carries as `x-amz-content-sha256`.
  private static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

  package init(configuration: S3Configuration) throws(StorageFailure) {
    if let reason = HTTPConnections.unavailableReason { throw StorageFailure("cannot read s3:// paths: \(reason)") }
    self.configuration = configuration
    connections = HTTPConnections(caBundle: configuration.caBundle)
  }

  /// libcurl's version (`7.88.1 (OpenSSL/3.0.22 …)`), or `nil` when it cannot be loaded.
  package static var libraryVersion: String? {
    guard let line = walkit_http_library_version().map({ String(cString: $0) }) else { return nil }
    let parts = line.split(separator: " ")
    guard let first = parts.first, first.hasPrefix("libcurl/") else { return line }
    return String(first.dropFirst(8)) + (parts.count > 1 ? " (" + parts.dropFirst().prefix(1).joined() + ")" : "")
  }

  /// Why libcurl cannot be loaded (`nil` when it can).
  package static var unavailableReason: String? { HTTPConnections.unavailableReason }

  /// One page of a listing.
  package struct Page: Sendable {
    package var objects: [S3ListingXML.Object]
    package var commonPrefixes: [String]
  }

  /// Lists the keys under `prefix` (the keys and, with `delimiter`, the common prefixes),
  /// following continuation tokens, handing each page to `take` as it comes.
  package func list(bucket: String, prefix: String, delimiter: String? = "/", maxKeys: Int = 1000,
                    pages limit: Int = .max, take: (Page) -> Void) throws(StorageFailure)
  {
    var token: String?
    var pages = 0
    repeat {
      var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(maxKeys)), ("encoding-type", "url")]
      if let delimiter { query.append(("delimiter", delimiter)) }
      if let token { query.append(("continuation-token", token)) }
      let what = "list \(S3Location(bucket: bucket, key: prefix))"
      let response = try send(what, url: url(bucket: bucket, key: "", query: query))
      guard response.status == 200 else { throw failure(of: response, body: response.body, what: what) }
      let listing = try S3ListingXML(response.body)
      take(Page(objects: listing.objects, commonPrefixes: listing.commonPrefixes))
      pages += 1
      token = listing.isTruncated ? listing.nextContinuationToken : nil
      if listing.isTruncated && token == nil { throw StorageFailure("\(what): a truncated listing without a continuation token") }
    } while token != nil && pages < limit
  }

  /// The size and ETag of an object; `nil` when there is none (404).
  package func head(bucket: String, key: String) throws(StorageFailure) -> RemoteObject? {
    let what = "HEAD \(S3Location(bucket: bucket, key: key))"
    let response = try send(what, url: url(bucket: bucket, key: key), headOnly: true)
    if response.status == 404 { return nil }
    guard response.status == 200 else {
      // A HEAD answer has no body: ask for one byte to learn the server's reason.
      let detail = try send(what, url: url(bucket: bucket, key: key), headers: ["Range: bytes=0-0"], limit: 64 << 10)
      throw failure(of: detail.status == 200 || detail.status == 206 ? response : detail, body: detail.body, what: what)
    }
    return RemoteObject(size: response.contentLength ?? 0, etag: response.etag)
  }

  /// Reads `range` of an object into `buffer` (at most its size), refusing another version of
  /// it than `ifMatch` names. Returns the bytes read and the response.
  package func get(bucket: String, key: String, range: Range<UInt64>? = nil, ifMatch: String? = nil,
                   into buffer: UnsafeMutableRawBufferPointer) throws(StorageFailure) -> (count: Int, response: HTTPResponseHead)
  {
    var headers: [String] = []
    if let range { headers.append("Range: bytes=\(range.lowerBound)-\(range.upperBound - 1)") }
    if let ifMatch, !ifMatch.isEmpty { headers.append("If-Match: \(ifMatch)") }
    let what = "GET \(S3Location(bucket: bucket, key: key))"
    let response = try send(what, url: url(bucket: bucket, key: key), headers: headers, into: buffer)
    guard response.status == 200 || response.status == 206 else {
      let body = Array(UnsafeRawBufferPointer(rebasing: buffer[0..<min(response.bodyLength, buffer.count)]))
      throw failure(of: response, body: body, what: what)
    }
    return (response.bodyLength, HTTPResponseHead(status: response.status, etag: response.etag, contentLength: response.contentLength))
  }

  /// A small object read whole (a catalogue file), at most `limit` bytes.
  package func getSmall(bucket: String, key: String, limit: Int) throws(StorageFailure) -> [UInt8] {
    let what = "GET \(S3Location(bucket: bucket, key: key))"
    let response = try send(what, url: url(bucket: bucket, key: key), limit: limit)
    guard response.status == 200 else { throw failure(of: response, body: response.body, what: what) }
    return response.body
  }

  // MARK: Requests

  /// Sends a request, trying again after a transport failure, a 5xx or a 429, with backoff.
  private func send(_ what: String, url: String, headers extra: [String] = [], headOnly: Bool = false,
                    into buffer: UnsafeMutableRawBufferPointer? = nil, limit: Int = 64 << 20) throws(StorageFailure) -> HTTPResponse
  {
    var headers = extra
    var signing: (userPassword: String, scope: String)?
    if let credentials = configuration.credentials {
      signing = ("\(credentials.accessKeyID):\(credentials.secretAccessKey)", "aws:amz:\(configuration.region):s3")
      headers.append("x-amz-content-sha256: \(Self.emptyPayloadHash)")
      if let token = credentials.sessionToken { headers.append("x-amz-security-token: \(token)") }
    }
    var attempt = 1
    while true {
      let result = connections.perform(url: url, headers: headers, signing: signing, headOnly: headOnly, into: buffer, limit: limit)
      let retry: StorageFailure
      switch result {
      case .failure(let transport):
        guard transport.isTransient else {
          throw StorageFailure("\(what): \(transport.overflowed ? "larger than expected" : transport.message)",
                               isLongerThanListed: transport.overflowed)
        }
        retry = StorageFailure("\(what): \(transport.message)")
      case .success(let response):
        guard [429, 500, 502, 503, 504].contains(response.status) else { return response }
        let body = buffer.map { Array(UnsafeRawBufferPointer(rebasing: $0[0..<min(response.bodyLength, $0.count)])) } ?? response.body
        retry = failure(of: response, body: body, what: what)
      }
      guard attempt < configuration.maxAttempts else {
        throw StorageFailure("\(retry.description) (gave up after \(attempt) tries)", httpStatus: retry.httpStatus)
      }
      Syscalls.sleep(milliseconds: Self.backoff(attempt: attempt))
      attempt += 1
    }
  }

  /// Milliseconds to wait before try `attempt + 1`: 100 ms doubling to 3.2 s, with jitter.
  static func backoff(attempt: Int) -> Int {
    let ceiling = 100 << min(attempt - 1, 5)
    return ceiling / 2 + Int.random(in: 0...(ceiling / 2))
  }

  /// A failed response in words: the status, S3's code and message, and a hint where the
  /// answer is a known mistake (another region).
  func failure(of response: HTTPResponse, body: [UInt8], what: String) -> StorageFailure {
    var text = "\(what): HTTP \(response.status)"
    let parsed = S3ListingXML.error(in: body)
    if let parsed { text += " \(parsed.code)" + (parsed.message.isEmpty ? "" : ": \(parsed.message)") }
    let region = parsed?.region ?? (response.bucketRegion.isEmpty ? nil : response.bucketRegion)
    if let region, region != configuration.region, [301, 400, 403].contains(response.status) {
      text += " (the bucket is in region \(region), not \(configuration.region): set AWS_REGION=\(region))"
    } else if response.status == 301 {
      text += " (the bucket is in another region: set AWS_REGION)"
    }
    return StorageFailure(text, httpStatus: response.status, isNotFound: response.status == 404)
  }

  /// The URL of `key` in `bucket`, with `query` in the canonical form SigV4 signs: sorted by
  /// name, names and values percent-encoded (RFC 3986 unreserved characters kept).
  func url(bucket: String, key: String, query: [(String, String)] = []) -> String {
    let path = key.isEmpty ? "" : "/" + Self.encoded(key, keepingSlash: true)
    var base: String
    if configuration.addressingStyle == .virtual && !bucket.contains("."), let scheme = configuration.endpoint.firstRange(of: "://") {
      base = String(configuration.endpoint[..<scheme.upperBound]) + bucket + "." + configuration.endpoint[scheme.upperBound...] + (path.isEmpty ? "/" : path)
    } else {
      base = configuration.endpoint + "/" + bucket + path
    }
    if !query.isEmpty {
      base += "?" + query.map { (Self.encoded($0.0, keepingSlash: false), Self.encoded($0.1, keepingSlash: false)) }
        .sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }
    return base
  }

  static func encoded(_ text: String, keepingSlash: Bool) -> String {
    var result = ""
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
        UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
        result.unicodeScalars.append(Unicode.Scalar(byte))
      case UInt8(ascii: "/") where keepingSlash:
        result += "/"
      default:
        result += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
      }
    }
    return result
  }
}

/// The status and headers of a GET.
package struct HTTPResponseHead: Sendable {
  package var status: Int
  package var etag: String
  package var contentLength: UInt64?
}

/// An object as listed: its size and ETag, recorded in reports so that a later run can tell
/// what changed.
public struct RemoteObject: Hashable, Sendable {
  public var size: UInt64
  public var etag: String

  public init(size: UInt64, etag: String) {
    self.size = size
    self.etag = etag
  }
}
