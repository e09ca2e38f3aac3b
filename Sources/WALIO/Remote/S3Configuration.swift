import WALCore

/// How to reach object storage, found as the AWS command-line tools find it, so that walkit
/// works wherever `aws s3 ls` does.
public struct S3Configuration: Sendable, Equatable {
  public struct Credentials: Sendable, Equatable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
  }

  /// How a bucket is named in a request's URL.
  public enum AddressingStyle: String, Sendable, Equatable {
    /// `https://endpoint/BUCKET/KEY`: what S3-compatible servers (MinIO, Ceph) expect.
    case path
    /// `https://BUCKET.endpoint/KEY`: what AWS S3 expects.
    case virtual
  }

  /// `nil`: requests are sent unsigned (a public bucket).
  public var credentials: Credentials?
  public var region: String
  /// `https://s3.REGION.amazonaws.com`, or the S3-compatible server's URL.
  public var endpoint: String
  public var addressingStyle: AddressingStyle
  /// A CA bundle to trust instead of the system's.
  public var caBundle: String?
  /// Objects read at once.
  public var concurrency: Int
  /// Tries of one request before its failure is reported.
  public var maxAttempts: Int
  /// Where each setting came from, for messages: `environment`, `profile default (~/.aws/config)`.
  public var credentialSource: String

  public init(credentials: Credentials?, region: String, endpoint: String, addressingStyle: AddressingStyle,
              caBundle: String? = nil, concurrency: Int = 8, maxAttempts: Int = 5, credentialSource: String = "")
  {
    self.credentials = credentials
    self.region = region
    self.endpoint = endpoint
    self.addressingStyle = addressingStyle
    self.caBundle = caBundle
    self.concurrency = concurrency
    self.maxAttempts = maxAttempts
    self.credentialSource = credentialSource
  }

  /// Makes every `s3://` path be read through this configuration rather than the one the
  /// environment describes: for a host program that configures walkit itself. Takes effect
  /// only before the first `s3://` path is read.
  public func install() throws(StorageFailure) { try RemoteStore.configureShared(self) }

  /// The configuration `environment` and the AWS files describe:
  /// - credentials: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`; else the
  ///   profile (`AWS_PROFILE`, else `default`) in `AWS_SHARED_CREDENTIALS_FILE`
  ///   (`~/.aws/credentials`), then in `AWS_CONFIG_FILE` (`~/.aws/config`); else none
  ///   (unsigned requests);
  /// - region: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, else `us-east-1`;
  /// - endpoint: `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, the profile's `s3.endpoint_url` or
  ///   `endpoint_url`, else AWS S3 of the region;
  /// - addressing: the profile's `s3.addressing_style` (`path`, `virtual`, `auto`),
  ///   `WALKIT_S3_ADDRESSING_STYLE`; `auto` is virtual-hosted on AWS and path-style elsewhere;
  /// - CA bundle: `AWS_CA_BUNDLE`, the profile's `ca_bundle`;
  /// - `WALKIT_S3_CONCURRENCY` (objects read at once, default 8) and `WALKIT_S3_MAX_ATTEMPTS`
  ///   (tries per request, default 5; `AWS_MAX_ATTEMPTS` and the profile's `max_attempts` too).
  ///
  /// - Throws: ``StorageFailure`` for a profile named but not found, or half a key pair.
  public static func fromEnvironment(_ environment: [String: String]) throws(StorageFailure) -> S3Configuration {
    func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
    let home = value("HOME") ?? "/root"
    let profileName = value("AWS_PROFILE") ?? value("AWS_DEFAULT_PROFILE") ?? "default"
    let credentialsPath = value("AWS_SHARED_CREDENTIALS_FILE") ?? home + "/.aws/credentials"
    let configPath = value("AWS_CONFIG_FILE") ?? home + "/.aws/config"
    let credentialsFile = AWSProfileFile.load(credentialsPath)
    let configFile = AWSProfileFile.load(configPath)
    let fromCredentials = credentialsFile?.profile(profileName, isConfigFile: false)
    let fromConfig = configFile?.profile(profileName, isConfigFile: true)
    if value("AWS_PROFILE") != nil, fromCredentials == nil, fromConfig == nil {
      throw StorageFailure("the profile \(profileName) (AWS_PROFILE) is in neither \(credentialsPath) nor \(configPath)")
    }
    func setting(_ key: String) -> String? {
      (fromConfig?[key]).flatMap { $0.isEmpty ? nil : $0 } ?? (fromCredentials?[key]).flatMap { $0.isEmpty ? nil : $0 }
    }

    var credentials: Credentials?
    var source = "none: requests are sent unsigned"
    if let id = value("AWS_ACCESS_KEY_ID"), let secret = value("AWS_SECRET_ACCESS_KEY") {
      credentials = Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))
      source = "environment"
    } else if value("AWS_ACCESS_KEY_ID") != nil || value("AWS_SECRET_ACCESS_KEY") != nil {
      throw StorageFailure("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together")
    } else {
      for (profile, path) in [(fromCredentials, credentialsPath), (fromConfig, configPath)] {
        if let profile, let id = profile["aws_access_key_id"], let secret = profile["aws_secret_access_key"] {
          credentials = Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: profile["aws_session_token"])
          source = "profile \(profileName) (\(path))"
          break
        }
      }
    }

    let region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? setting("region") ?? "us-east-1"
    let custom = value("AWS_ENDPOINT_URL_S3") ?? value("AWS_ENDPOINT_URL") ?? setting("s3.endpoint_url") ?? setting("endpoint_url")
    var endpoint = custom ?? "https://s3.\(region).amazonaws.com"
    while endpoint.hasSuffix("/") { endpoint.removeLast() }
    let style = setting("s3.addressing_style") ?? value("WALKIT_S3_ADDRESSING_STYLE") ?? "auto"
    let addressing: AddressingStyle
    switch style.lowercased() {
    case "path": addressing = .path
    case "virtual": addressing = .virtual
    case "auto": addressing = custom == nil ? .virtual : .path
    default: throw StorageFailure("addressing style \(style): expected path, virtual or auto")
    }
    let attempts = value("WALKIT_S3_MAX_ATTEMPTS") ?? value("AWS_MAX_ATTEMPTS") ?? setting("max_attempts")
    let concurrency = value("WALKIT_S3_CONCURRENCY")
    return S3Configuration(
      credentials: credentials, region: region, endpoint: endpoint, addressingStyle: addressing,
      caBundle: value("AWS_CA_BUNDLE") ?? setting("ca_bundle"),
      concurrency: concurrency.flatMap(Int.init).map { min(max($0, 1), 64) } ?? 8,
      maxAttempts: attempts.flatMap(Int.init).map { min(max($0, 1), 20) } ?? 5,
      credentialSource: source)
  }
}
