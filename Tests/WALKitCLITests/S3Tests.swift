import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import WALKit

/// A real S3 API server for the tests: moto's, with signature and IAM policy checks on and a
/// fault-injecting proxy in front (scripts/s3-test-server.py), started once per test run.
enum S3TestServer {
  struct Keys: Decodable {
    var access_key_id: String
    var secret_access_key: String
    var session_token: String?
  }

  struct Info: Decodable {
    var endpoint: String
    var proxy: String
    var region: String
    var reader: Keys
    var session: Keys
    var many: Int
  }

  static let requirement: Comment = "needs python3 with moto[server] and boto3 (pip install 'moto[server]==5.2.1' boto3: the test server patches two of its faults), and libcurl4"

  static let canStart: Bool = {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import moto.server, boto3, flask_cors"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
  }()

  /// The running server; started on first use, it ends when the test process does.
  static let shared: Result<Info, ServerError> = start()

  struct ServerError: Error, CustomStringConvertible { var description: String }

  private static func start() -> Result<Info, ServerError> {
    let info = FileManager.default.temporaryDirectory.appendingPathComponent("walkit-s3-\(UUID().uuidString).json")
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("walkit-s3-\(UUID().uuidString).log")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", CLITests.root.appendingPathComponent("scripts/s3-test-server.py").path,
                         "--info", info.path, "--testdata", CLITests.root.appendingPathComponent("TestData").path]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = try? FileHandle(forWritingTo: log)
    do { try process.run() } catch { return .failure(ServerError(description: "cannot start the S3 test server: \(error)")) }
    let deadline = Date().addingTimeInterval(240)
    while Date() < deadline {
      if let data = try? Data(contentsOf: info), let decoded = try? JSONDecoder().decode(Info.self, from: data) {
        return .success(decoded)
      }
      if !process.isRunning { break }
      Thread.sleep(forTimeInterval: 0.2)
    }
    let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    return .failure(ServerError(description: "the S3 test server did not start: \(output.suffix(2000))"))
  }

  static func info() throws -> Info { try shared.get() }

  /// The environment a user of the reader's account would have, with `endpoint` (the server,
  /// or the fault proxy) and no AWS settings of this machine's.
  static func environment(endpoint: String? = nil, keys: Keys? = nil, extra: [String: String] = [:]) throws -> [String: String] {
    let info = try info()
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") && !$0.key.hasPrefix("WALKIT_S3") }
    let keys = keys ?? info.reader
    environment["HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("walkit-s3-home").path
    environment["AWS_ENDPOINT_URL"] = endpoint ?? info.endpoint
    environment["AWS_REGION"] = info.region
    environment["AWS_ACCESS_KEY_ID"] = keys.access_key_id
    environment["AWS_SECRET_ACCESS_KEY"] = keys.secret_access_key
    if let token = keys.session_token { environment["AWS_SESSION_TOKEN"] = token }
    environment.merge(extra) { $1 }
    return environment
  }

  /// Posts `body` (fault rules) to the fault proxy, or reads what it has seen (`body` nil).
  static func proxy(body: Data?) throws -> Data {
    var request = URLRequest(url: URL(string: try info().proxy + "/__faults__")!)
    if let body {
      request.httpMethod = "POST"
      request.httpBody = body
    }
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var answer: Data?
    URLSession.shared.dataTask(with: request) { data, _, _ in
      answer = data
      done.signal()
    }.resume()
    done.wait()
    return answer ?? Data()
  }
}

/// Runs blocking work (a child process, the server's start) on a thread of its own, so that
/// waiting for it holds none of the few threads every test shares.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
  try await withCheckedThrowingContinuation { continuation in
    Thread { continuation.resume(with: Result { try body() }) }.start()
  }
}

/// Every command over `s3://` against a real S3 API server: the same verdicts as on the local
/// copy of each archive, the configuration the AWS tools use, and faults as findings.
@Suite(.enabled(if: S3TestServer.canStart, S3TestServer.requirement), .timeLimit(.minutes(10)))
struct S3Tests {
  static func walkit(_ arguments: [String], environment: [String: String]? = nil) async throws -> CLITests.Run {
    let chosen: [String: String]
    if let environment { chosen = environment } else { chosen = try await Self.environment() }
    return try await offPool { try CLITests.walkit(arguments, environment: chosen) }
  }

  static func info() async throws -> S3TestServer.Info { try await offPool { try S3TestServer.info() } }

  static func environment(endpoint: String? = nil, keys: S3TestServer.Keys? = nil, extra: [String: String] = [:])
    async throws -> [String: String]
  {
    try await offPool { try S3TestServer.environment(endpoint: endpoint, keys: keys, extra: extra) }
  }

  static func proxyEnvironment(extra: [String: String] = [:]) async throws -> [String: String] {
    try await environment(endpoint: info().proxy, extra: extra)
  }

  @discardableResult
  static func proxy(rules: [[String: Any]]? = nil) async throws -> [String: Any] {
    let body = try rules.map { try JSONSerialization.data(withJSONObject: $0) }
    let answer = try await offPool { try S3TestServer.proxy(body: body) }
    return try #require(try JSONSerialization.jsonObject(with: answer) as? [String: Any])
  }

  /// A JSON document with the remote paths written as the local ones and the objects' size and
  /// ETag (which local files have not) left out.
  static func normalized(_ text: String, remotePrefix: String = "s3://walkit/") throws -> String {
    func strip(_ value: Any) -> Any {
      if let object = value as? [String: Any] {
        return object.filter { $0.key != "object" }.mapValues(strip)
      }
      if let array = value as? [Any] { return array.map(strip) }
      return value
    }
    let local = text.replacingOccurrences(of: remotePrefix, with: "TestData/")
    let parsed = try JSONSerialization.jsonObject(with: Data(local.utf8))
    let data = try JSONSerialization.data(withJSONObject: strip(parsed), options: [.sortedKeys, .prettyPrinted])
    return String(decoding: data, as: UTF8.self)
  }

  @Test("verify reads each layout in a bucket as it reads the local copy", arguments: [
    "pg15-repositories/flat", "pg15-repositories/pgbackrest", "pg15-repositories/pgbackrest/archive/demo",
    "pg15-repositories/walg", "pg15-repositories/walg/wal_005", "pg15-repositories/barman/pg15",
    "pg15-repositories/pgbackrest-encrypted", "pg18-timeline/archive", "pg15/archive", "pg16/archive",
  ])
  func verifyEqualsLocal(prefix: String) async throws {
    let remote = try await Self.walkit(["verify", "--json", "s3://walkit/" + prefix])
    let local = try await Self.walkit(["verify", "--json", "TestData/" + prefix])
    #expect(remote.status == local.status, "\(remote.stderr)")
    #expect(try Self.normalized(remote.stdout) == Self.normalized(local.stdout))
    if local.status == 0 {
      let document = try CLITests.json(remote.stdout)
      let segments = try #require(document["segments"] as? [[String: Any]])
      #expect(!segments.isEmpty)
      #expect(segments.allSatisfy { $0["object"] != nil })
    }
  }

  @Test("inspect, its statistics, gaps and diff give over s3:// what they give locally")
  func otherCommandsEqualLocal() async throws {
    let commands: [[String]] = [
      ["inspect", "--json", "-p", "@pg16/archive"],
      ["inspect", "-p", "@pg15-repositories/walg"],
      ["inspect", "--stats-per-record", "-p", "@pg15/archive"],
      ["inspect", "--json", "@pg16/archive/000000010000000000000007"],
      ["gaps", "--json", "@pg18-timeline/archive"],
      ["gaps", "--json", "--from", "@pg18-timeline/archive/00000001000000000000000C.00000028.backup", "@pg18-timeline/archive"],
      ["gaps", "--json", "@pg15-repositories/pgbackrest", "--to", "0/C00048"],
      ["diff", "--json", "@pg15-repositories/flat", "@pg15-repositories/walg"],
    ]
    for command in commands {
      let remote = try await Self.walkit(command.map { $0.replacingOccurrences(of: "@", with: "s3://walkit/") })
      let local = try await Self.walkit(command.map { $0.replacingOccurrences(of: "@", with: "TestData/") })
      #expect(remote.status == local.status, "\(command): \(remote.stderr)")
      #expect(!local.stdout.isEmpty, "\(command)")
      if command.contains("--json") && !command.contains("inspect") {
        #expect(try Self.normalized(remote.stdout) == Self.normalized(local.stdout), "\(command)")
      } else {
        #expect(remote.stdout.replacingOccurrences(of: "s3://walkit/", with: "TestData/") == local.stdout, "\(command)")
      }
    }
  }

  @Test("diff compares a bucket with a local directory")
  func diffMixesLocalAndRemote() async throws {
    let run = try await Self.walkit(["diff", "s3://walkit/pg15-repositories/walg", "TestData/pg15-repositories/barman/pg15"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("SAME WAL: 7 segments"))
  }

  @Test("each segment's object size and ETag are in the report, as the server has them")
  func objectSizesAndETags() async throws {
    let run = try await Self.walkit(["verify", "--json", "s3://walkit/pg15-repositories/walg"])
    let segments = try #require(try CLITests.json(run.stdout)["segments"] as? [[String: Any]])
    #expect(segments.count == 7)
    for segment in segments {
      let file = try #require(segment["file"] as? String)
      let local = CLITests.root.appendingPathComponent(file.replacingOccurrences(of: "s3://walkit/", with: "TestData/"))
      let object = try #require(segment["object"] as? [String: Any])
      let size = try FileManager.default.attributesOfItem(atPath: local.path)[.size] as? Int
      #expect(object["size"] as? Int == size)
      // moto's ETag of a single-part upload is the MD5 of the content, quoted, as S3's is.
      let md5 = Process()
      md5.executableURL = URL(fileURLWithPath: "/usr/bin/md5sum")
      md5.arguments = [local.path]
      let pipe = Pipe()
      md5.standardOutput = pipe
      try md5.run()
      let digest = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(32)
      md5.waitUntilExit()
      #expect(object["etag"] as? String == "\"\(digest)\"")
    }
  }

  @Test("a bucket of 200,000 objects is listed whole, page by page")
  func listsAManyObjectBucket() async throws {
    let info = try await Self.info()
    let configuration = try S3Configuration.fromEnvironment(try await Self.environment())
    try configuration.install()
    let started = Date()
    let inputs = try await offPool { try WALInputs(paths: ["s3://walkit-many/archive"]) }
    let seconds = Date().timeIntervalSince(started)
    print("listed \(inputs.files.count) objects in \(String(format: "%.1f", seconds)) s")
    #expect(inputs.files.count == info.many)
    #expect(inputs.files.first?.name?.description == "000000010000000000000006")
    #expect(inputs.files.first?.object?.size == 1 << 20)
    #expect(inputs.files.dropFirst().allSatisfy { $0.object?.size == 37 })
    // moto answers a page of 1,000 keys in 150–250 ms (its serializer, see scripts/bench):
    // 200 pages take it 30–50 s. This bounds walkit's own part: a client that re-read or
    // re-sorted what it had listed would take minutes.
    #expect(seconds < 120)
  }

  @Test("a 5xx, a reset or a cut-short body is tried again; the run is clean", arguments: [
    ("retry", ["500", "503"]), ("reset", ["reset"]), ("truncate", ["truncate"]),
  ])
  func transientFaultsAreRetried(copy: String, faults: [String]) async throws {
    let object = "faults/\(copy)/000000010000000000000008"
    try await Self.proxy(rules: [["match": object, "faults": faults]])
    let run = try await Self.walkit(["verify", "--json", "s3://walkit/faults/\(copy)"],
                              environment: Self.proxyEnvironment())
    #expect(run.status == 0, "\(run.stdout.prefix(2000)) \(run.stderr)")
    let rules = try #require(await Self.proxy()["rules"] as? [[String: Any]])
    let rule = try #require(rules.first { $0["match"] as? String == object })
    #expect(rule["taken"] as? Int == faults.count)
    #expect(rule["left"] as? Int == 0)
  }

  @Test("a slow object is waited for")
  func slowObjectIsWaitedFor() async throws {
    try await Self.proxy(rules: [["match": "faults/slow/000000010000000000000009", "faults": ["slow:1.5"]]])
    let started = Date()
    let run = try await Self.walkit(["verify", "s3://walkit/faults/slow"],
                              environment: Self.proxyEnvironment())
    #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
    #expect(Date().timeIntervalSince(started) >= 1.5)
  }

  @Test("throttling that does not stop is an unreadable file naming the object and the status")
  func persistentThrottlingIsAFinding() async throws {
    let object = "faults/slowdown/00000001000000000000000A"
    // Enough for every request for the object (its read, and the reads of the segment before
    // it that follow a record into it), each tried three times.
    try await Self.proxy(rules: [["match": object, "faults": Array(repeating: "503", count: 30)]])
    let run = try await Self.walkit(["verify", "--json", "s3://walkit/faults/slowdown"],
                              environment: Self.proxyEnvironment(extra: ["WALKIT_S3_MAX_ATTEMPTS": "3"]))
    #expect(run.status == 1, "\(run.stderr)")
    let problems = try #require(try CLITests.json(run.stdout)["problems"] as? [[String: Any]])
    let unreadable = problems.filter { $0["kind"] as? String == "unreadable-file" }
    #expect(unreadable.count == 1)
    #expect(unreadable.first?["file"] as? String == "s3://walkit/" + object)
    let message = unreadable.first?["message"] as? String ?? ""
    #expect(message.contains("HTTP 503 SlowDown"), "\(message)")
    #expect(message.contains("3 tries"), "\(message)")
  }

  /// The last record of …08 continues into …09: its start is taken from …09's one GET, read
  /// ahead and still in flight, not asked for again (a second GET could see the object
  /// rewritten after the first, and the two reads of one object would disagree).
  @Test("the start of an object in flight is waited for, not fetched twice")
  func objectInFlightIsFetchedOnce() async throws {
    let object = "faults/follow/000000010000000000000009"
    // Every request for the object takes one: the first is held until …08 has been sent whole
    // and a second more (…08's last record is reached meanwhile), the others pass untouched.
    let held = "after:faults/follow/000000010000000000000008:1"
    try await Self.proxy(rules: [["match": object, "faults": [held, "pass", "pass"]]])
    let run = try await Self.walkit(["verify", "s3://walkit/faults/follow"], environment: Self.proxyEnvironment())
    #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
    let rules = try #require(await Self.proxy()["rules"] as? [[String: Any]])
    let rule = try #require(rules.first { $0["match"] as? String == object })
    #expect(rule["taken"] as? Int == 1, "\(run.stderr)")
  }

  /// …08 is slow, so …09 has been read and let go when …08's last record continues into it:
  /// that record's start is fetched again, and the object has changed since its listing. The
  /// record cannot be checked, and the run must say so, not pass.
  @Test("a segment that changed before a record was followed into it is reported")
  func changedFollowedSegmentIsAFinding() async throws {
    let slow = "faults/refollow/000000010000000000000008"
    let changed = "faults/refollow/000000010000000000000009"
    // Held until …09 has been sent whole and a second more: …09 is read and let go first
    // however loaded the server is.
    let held = "after:\(changed):1"
    try await Self.proxy(rules: [["match": slow, "faults": [held]], ["match": changed, "faults": ["pass", "shrink"]]])
    let run = try await Self.walkit(["verify", "--json", "--jobs", "2", "s3://walkit/faults/refollow"],
                                    environment: Self.proxyEnvironment())
    let rules = try #require(await Self.proxy()["rules"] as? [[String: Any]])
    let rule = try #require(rules.first { $0["match"] as? String == changed })
    try #require(rule["taken"] as? Int == 2, "…09 was not fetched a second time: \(run.stderr)")
    #expect(run.status == 1, "\(run.stdout) \(run.stderr)")
    let problems = try #require(try CLITests.json(run.stdout)["problems"] as? [[String: Any]])
    let found = try #require(problems.first { $0["kind"] as? String == "changed-while-read" })
    #expect(found["file"] as? String == "s3://walkit/" + changed)
    #expect((found["message"] as? String ?? "").contains("follow a record"), "\(found)")
  }

  @Test("an object rewritten or shrunk after its listing is reported as changed while read",
        arguments: ["change", "shrink"])
  func changedObjectIsAFinding(copy: String) async throws {
    let object = "faults/\(copy)/000000010000000000000009"
    try await Self.proxy(rules: [["match": object, "faults": [copy]]])
    let run = try await Self.walkit(["verify", "--json", "s3://walkit/faults/\(copy)"],
                              environment: Self.proxyEnvironment())
    #expect(run.status == 1, "\(run.stderr)")
    let problems = try #require(try CLITests.json(run.stdout)["problems"] as? [[String: Any]])
    let changed = try #require(problems.first { $0["kind"] as? String == "changed-while-read" })
    #expect(changed["file"] as? String == "s3://walkit/" + object)
    #expect((changed["message"] as? String ?? "").contains("HTTP 412"))
  }

  @Test("walkit sends only GET and HEAD requests")
  func readsOnly() async throws {
    let environment = try await Self.proxyEnvironment()
    for command in [["verify", "s3://walkit/faults/readonly"], ["inspect", "-z", "-p", "s3://walkit/faults/readonly"],
                    ["gaps", "s3://walkit/faults/readonly"], ["diff", "s3://walkit/faults/readonly", "TestData/pg15-repositories/flat"]] {
      let run = try await Self.walkit(command, environment: environment)
      #expect(run.status == 0, "\(command): \(run.stderr)")
    }
    let methods = try #require(await Self.proxy()["methods"] as? [String: Int])
    let readonly = methods.filter { $0.key.hasSuffix("walkit/faults/readonly") }
    #expect(!readonly.isEmpty)
    #expect(methods.keys.allSatisfy { $0.hasPrefix("GET ") || $0.hasPrefix("HEAD ") }, "\(methods)")
  }

  @Test("wrong keys, an unknown key, a missing bucket and no libcurl end the run (exit 2) with the server's words")
  func configurationFailuresStopTheRun() async throws {
    let info = try await Self.info()
    let cases: [([String: String], String, String)] = [
      (["AWS_SECRET_ACCESS_KEY": "not-the-secret"], "s3://walkit/pg16/archive", "SignatureDoesNotMatch"),
      (["AWS_ACCESS_KEY_ID": "AKIAUNKNOWNKEY000000"], "s3://walkit/pg16/archive", "InvalidAccessKeyId"),
      ([:], "s3://walkit-no-such-bucket/archive", "NoSuchBucket"),
      (["WALKIT_DISABLE_CURL": "1"], "s3://walkit/pg16/archive", "libcurl"),
      (["AWS_PROFILE": "nowhere"], "s3://walkit/pg16/archive", "nowhere"),
      ([:], "s3://walkit/pg16/no-such-prefix", "no such object"),
    ]
    for (extra, path, expected) in cases {
      var environment = try await Self.environment(extra: extra)
      if extra["AWS_PROFILE"] != nil {
        environment["AWS_ACCESS_KEY_ID"] = nil
        environment["AWS_SECRET_ACCESS_KEY"] = nil
      }
      let run = try await Self.walkit(["verify", path], environment: environment)
      #expect(run.status == 2, "\(extra): \(run.stderr)")
      #expect(run.stderr.contains(expected), "\(extra): \(run.stderr)")
    }
    _ = info
  }

  @Test("temporary credentials with a session token, and a profile in the AWS files, are used as the AWS CLI uses them")
  func credentialsAsTheAWSToolsFindThem() async throws {
    let info = try await Self.info()
    let session = try await Self.walkit(["verify", "s3://walkit/pg16/archive"], environment: Self.environment(keys: info.session))
    #expect(session.status == 0, "\(session.stderr)")

    let home = FileManager.default.temporaryDirectory.appendingPathComponent("walkit-aws-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: home.appendingPathComponent(".aws"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: home) }
    try """
      [default]
      aws_access_key_id = AKIAWRONGDEFAULT0000
      aws_secret_access_key = wrong

      [archive-reader]
      aws_access_key_id = \(info.reader.access_key_id)
      aws_secret_access_key = \(info.reader.secret_access_key)
      """.write(to: home.appendingPathComponent(".aws/credentials"), atomically: true, encoding: .utf8)
    try """
      [profile archive-reader]
      region = \(info.region)
      s3 =
        endpoint_url = \(info.endpoint)
        addressing_style = path
      """.write(to: home.appendingPathComponent(".aws/config"), atomically: true, encoding: .utf8)
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
    environment["HOME"] = home.path
    environment["AWS_PROFILE"] = "archive-reader"
    let profile = try await Self.walkit(["verify", "s3://walkit/pg16/archive"], environment: environment)
    #expect(profile.status == 0, "\(profile.stderr)")
    environment["AWS_PROFILE"] = nil
    let wrongDefault = try await Self.walkit(["verify", "s3://walkit/pg16/archive"], environment: environment)
    #expect(wrongDefault.status == 2, "the default profile has no endpoint: AWS itself, unreachable here")
  }

  @Test("an empty bucket has nothing to read, as an empty directory has not")
  func emptyBucket() async throws {
    let empty = FileManager.default.temporaryDirectory.appendingPathComponent("walkit-empty-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: empty) }
    let remote = try await Self.walkit(["verify", "s3://walkit-empty"])
    let local = try await Self.walkit(["verify", empty.path])
    #expect(remote.status == local.status)
    #expect(remote.stderr.replacingOccurrences(of: "s3://walkit-empty", with: empty.path) == local.stderr)
  }
}
