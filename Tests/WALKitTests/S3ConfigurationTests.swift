import Testing
@testable import WALIO

/// How `s3://` access is configured (as the AWS tools do it) and how S3's answers are read.
@Suite struct S3ConfigurationTests {
  @Test func environmentCredentialsRegionAndEndpoint() throws {
    let configuration = try S3Configuration.fromEnvironment([
      "HOME": "/nonexistent", "AWS_ACCESS_KEY_ID": "AKIA1", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
      "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:9000/",
    ])
    #expect(configuration.credentials == .init(accessKeyID: "AKIA1", secretAccessKey: "secret", sessionToken: "token"))
    #expect(configuration.region == "eu-west-1")
    #expect(configuration.endpoint == "http://127.0.0.1:9000")
    #expect(configuration.addressingStyle == .path)
    #expect(configuration.credentialSource == "environment")
  }

  @Test func awsItselfIsAddressedByVirtualHost() throws {
    let configuration = try S3Configuration.fromEnvironment(["HOME": "/nonexistent", "AWS_REGION": "ap-south-1"])
    #expect(configuration.credentials == nil)
    #expect(configuration.endpoint == "https://s3.ap-south-1.amazonaws.com")
    #expect(configuration.addressingStyle == .virtual)
    let client = try S3Client(configuration: configuration)
    #expect(client.url(bucket: "wal", key: "a b/0001") == "https://wal.s3.ap-south-1.amazonaws.com/a%20b/0001")
    // A bucket with dots cannot be a TLS host name under *.amazonaws.com: path style.
    #expect(client.url(bucket: "my.wal", key: "k") == "https://s3.ap-south-1.amazonaws.com/my.wal/k")
  }

  @Test func queriesAreInTheCanonicalFormLibcurlSigns() throws {
    let client = try S3Client(configuration: S3Configuration.fromEnvironment(["HOME": "/nonexistent", "AWS_ENDPOINT_URL": "http://h:1"]))
    let url = client.url(bucket: "b", key: "", query: [("prefix", "wal/tli 2/"), ("list-type", "2"), ("continuation-token", "1+x/=")])
    #expect(url == "http://h:1/b?continuation-token=1%2Bx%2F%3D&list-type=2&prefix=wal%2Ftli%202%2F")
  }

  @Test func profilesFromTheSharedFiles() throws {
    let scratch = try Scratch()
    let directory = scratch.path
    try Scratch.write(Array("[default]\naws_access_key_id = D\naws_secret_access_key = d\n\n[reader]\naws_access_key_id=R\naws_secret_access_key = r\naws_session_token = t\n".utf8),
                      to: directory + "/credentials")
    try Scratch.write(Array("[profile reader]\nregion = us-west-2\ns3 =\n  endpoint_url = https://minio.example:9000\n  addressing_style = virtual\nca_bundle = /etc/minio-ca.pem\nmax_attempts = 7\n".utf8),
                      to: directory + "/config")
    let files = ["HOME": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": directory + "/credentials", "AWS_CONFIG_FILE": directory + "/config"]
    let reader = try S3Configuration.fromEnvironment(files.merging(["AWS_PROFILE": "reader"]) { $1 })
    #expect(reader.credentials == .init(accessKeyID: "R", secretAccessKey: "r", sessionToken: "t"))
    #expect(reader.region == "us-west-2")
    #expect(reader.endpoint == "https://minio.example:9000")
    #expect(reader.addressingStyle == .virtual)
    #expect(reader.caBundle == "/etc/minio-ca.pem")
    #expect(reader.maxAttempts == 7)
    let fallback = try S3Configuration.fromEnvironment(files)
    #expect(fallback.credentials?.accessKeyID == "D")
    #expect(fallback.region == "us-east-1")
    #expect(throws: StorageFailure.self) { try S3Configuration.fromEnvironment(files.merging(["AWS_PROFILE": "absent"]) { $1 }) }
    #expect(throws: StorageFailure.self) { try S3Configuration.fromEnvironment(["HOME": "/nonexistent", "AWS_ACCESS_KEY_ID": "half"]) }
  }

  @Test func listingPagesAndErrorDocuments() throws {
    let page = try S3ListingXML(Array("""
      <?xml version="1.0" encoding="UTF-8"?>
      <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>wal%2F</Prefix>
      <Contents><Key>wal%2F000000010000000000000001</Key><LastModified>2026-12-01T00:00:00.000Z</LastModified>
      <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>16777216</Size></Contents>
      <Contents><Key>wal%2Fa+b%2B.history</Key><ETag>&#34;x&#34;</ETag><Size>42</Size></Contents>
      <CommonPrefixes><Prefix>wal%2Fsub%2F</Prefix></CommonPrefixes>
      <IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
      </ListBucketResult>
      """.utf8))
    #expect(page.objects.map(\.key) == ["wal/000000010000000000000001", "wal/a b+.history"])
    #expect(page.objects.map(\.size) == [16_777_216, 42])
    #expect(page.objects.map(\.etag) == ["\"9b2cf535f27731c974343645a3985328\"", "\"x\""])
    #expect(page.commonPrefixes == ["wal/sub/"])
    #expect(page.isTruncated)
    #expect(page.nextContinuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
    #expect(throws: StorageFailure.self) { try S3ListingXML(Array("<Error><Code>AccessDenied</Code></Error>".utf8)) }
    let error = S3ListingXML.error(in: Array("""
      <Error><Code>AuthorizationHeaderMalformed</Code><Message>the region &apos;us-east-1&apos; is wrong</Message><Region>eu-central-1</Region></Error>
      """.utf8))
    #expect(error?.code == "AuthorizationHeaderMalformed")
    #expect(error?.message == "the region 'us-east-1' is wrong")
    #expect(error?.region == "eu-central-1")
  }

  @Test func s3Locations() {
    #expect(S3Location("s3://bucket") == S3Location(bucket: "bucket", key: ""))
    #expect(S3Location("s3://bucket//wal_005/")?.key == "wal_005/")
    #expect(S3Location("s3://bucket/a/b/")?.directoryPrefix == "a/b/")
    #expect(S3Location("s3:///x") == nil)
    #expect(S3Location("/tmp/s3://x") == nil)
    #expect(S3Location("s3://b/k")?.description == "s3://b/k")
  }
}
