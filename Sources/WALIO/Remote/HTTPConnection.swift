import CWALSupport
import Synchronization

/// What an HTTP request returned: its status and the headers walkit reads. The body went
/// where the request said.
struct HTTPResponse: Sendable {
  var status: Int
  var etag: String
  var contentLength: UInt64?
  var bucketRegion: String
  /// The body, when it was collected into a growing buffer (listings, errors).
  var body: [UInt8]
  /// Bytes written into the caller's buffer.
  var bodyLength: Int
}

/// Why a request got no HTTP response: a connection that failed, reset or stalled.
struct HTTPTransportFailure: Error, Sendable {
  /// libcurl's result code.
  var code: Int32
  var message: String
  /// The body was larger than the buffer or limit given.
  var overflowed: Bool

  /// Worth another try: connection refused, reset, timed out, a body cut short.
  var isTransient: Bool {
    // CURLE_COULDNT_CONNECT 7, PARTIAL_FILE 18, OPERATION_TIMEDOUT 28, GOT_NOTHING 52,
    // SEND_ERROR 55, RECV_ERROR 56, HTTP2 16, HTTP2_STREAM 92.
    !overflowed && [7, 16, 18, 28, 52, 55, 56, 92].contains(code)
  }
}

/// libcurl's easy handles, one per request in flight, kept for reuse so that connections stay
/// open between requests.
final class HTTPConnections: Sendable {
  private let idle = Mutex<[Handle]>([])

  /// A libcurl easy handle, used by one thread at a time.
  private struct Handle: @unchecked Sendable { let pointer: UnsafeMutableRawPointer }
  let caBundle: String?

  init(caBundle: String?) { self.caBundle = caBundle }

  deinit {
    for handle in idle.withLock({ $0 }) { walkit_http_handle_free(handle.pointer) }
  }

  /// Whether libcurl is loaded; else why not.
  static var unavailableReason: String? {
    walkit_http_available() != 0 ? nil : String(cString: walkit_http_problem())
  }

  /// Performs a GET (or HEAD) of `url` with `headers`, signed when `signing` is given. The
  /// body goes into `buffer` when one is given (at most its size), else into a growing buffer
  /// of at most `limit` bytes.
  func perform(url: String, headers: [String], signing: (userPassword: String, scope: String)?, headOnly: Bool = false,
               into buffer: UnsafeMutableRawBufferPointer? = nil, limit: Int = 16 << 20,
               stallSeconds: Int = 30) -> Result<HTTPResponse, HTTPTransportFailure>
  {
    guard let handle = idle.withLock({ $0.popLast() }) ?? walkit_http_handle_new().map(Handle.init) else {
      return .failure(HTTPTransportFailure(code: -1, message: Self.unavailableReason ?? "libcurl failed", overflowed: false))
    }
    defer { idle.withLock { $0.append(handle) } }
    var response = walkit_http_response()
    if let buffer {
      response.body = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
      response.capacity = buffer.count
      response.limit = buffer.count
    } else {
      response.body_is_allocated = 1
      response.limit = limit
    }
    defer { walkit_http_body_free(&response) }
    let code = withCStrings(headers) { headerPointers in
      withOptionalCString(signing?.userPassword) { userPassword in
        withOptionalCString(signing?.scope) { scope in
          withOptionalCString(caBundle) { caFile in
            url.withCString { url in
              var request = walkit_http_request(
                url: url, headers: headerPointers.baseAddress, header_count: Int32(headers.count),
                user_password: userPassword, aws_sigv4: scope, ca_file: caFile, head_only: headOnly ? 1 : 0,
                connect_timeout_ms: 10_000, stall_seconds: stallSeconds)
              return walkit_http_perform(handle.pointer, &request, &response)
            }
          }
        }
      }
    }
    let error = withUnsafeBytes(of: response.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    guard code == 0 else {
      return .failure(HTTPTransportFailure(code: code, message: error, overflowed: response.overflow != 0))
    }
    func text<T>(_ field: T) -> String {
      withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
    let body: [UInt8] = buffer == nil && response.length > 0
      ? Array(UnsafeBufferPointer(start: response.body, count: response.length)) : []
    return .success(HTTPResponse(
      status: response.status, etag: text(response.etag), contentLength: UInt64(text(response.content_length)),
      bucketRegion: text(response.bucket_region), body: body, bodyLength: buffer == nil ? 0 : response.length))
  }
}

private func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
  guard let string else { return body(nil) }
  return string.withCString { body($0) }
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> R) -> R {
  let copies = strings.map { string -> UnsafeMutablePointer<CChar> in
    let bytes = Array(string.utf8CString)
    let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
    copy.initialize(from: bytes, count: bytes.count)
    return copy
  }
  defer { copies.forEach { $0.deallocate() } }
  let pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
  return pointers.withUnsafeBufferPointer(body)
}
