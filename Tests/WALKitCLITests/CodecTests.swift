import Foundation
import Testing

/// The optional libraries are loaded at run time: with each one present, files of its format are
/// read; with it forced absent (WALKIT_DISABLE_CODECS, the test hook), each file that needs it is
/// a codec-unavailable finding naming the format and the Debian package, and every other file
/// is verified as before.
@Suite(.timeLimit(.minutes(10))) struct CodecTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var codec: String
    var directory: String
    /// The suffixes of the files that need the codec.
    var suffixes: [String]
    var format: String
    var package: String
    var testDescription: String { codec }
  }

  static let decompressors: [Case] = [
    Case(codec: "lz4", directory: "TestData/pg15-repositories/flat-mixed", suffixes: [".lz4"], format: "lz4", package: "liblz4-1"),
    Case(codec: "zstd", directory: "TestData/pg15-repositories/flat-mixed", suffixes: [".zst"], format: "zstd", package: "libzstd1"),
    Case(codec: "bzip2", directory: "TestData/pg15-repositories/flat-mixed", suffixes: [".bz2"], format: "bzip2", package: "libbz2-1.0"),
    Case(codec: "xz", directory: "TestData/pg15-repositories/flat-mixed", suffixes: [".xz"], format: "xz", package: "liblzma5"),
    Case(codec: "xz", directory: "TestData/pg15-repositories/walg/wal_005", suffixes: [".lzma"], format: "lzma", package: "liblzma5"),
    Case(codec: "brotli", directory: "TestData/pg15-repositories/walg/wal_005", suffixes: [".br"], format: "brotli", package: "libbrotli1"),
  ]

  static func verify(_ directory: String, disabling codec: String?) throws -> (status: Int32, document: [String: Any]) {
    let run = try CLITests.walkit(["verify", "--json", directory],
                                  environment: codec.map { ["WALKIT_DISABLE_CODECS": $0] } ?? [:])
    return (run.status, try CLITests.json(run.stdout))
  }

  static func segments(_ document: [String: Any]) -> [String: [String: Any]] {
    let list = document["segments"] as? [[String: Any]] ?? []
    return Dictionary(uniqueKeysWithValues: list.map { ($0["file"] as? String ?? "", $0) })
  }

  /// The name of the segment after `name` (these fixtures stay far from a log-id boundary).
  static func next(_ name: String) -> String? {
    guard name.count == 24, let low = UInt32(name.suffix(8), radix: 16) else { return nil }
    let digits = String(low + 1, radix: 16, uppercase: true)
    return name.prefix(16) + String(repeating: "0", count: 8 - digits.count) + digits
  }

  @Test(arguments: decompressors)
  func aMissingDecompressorIsAFindingOnItsFilesAndTheRestIsVerified(_ test: Case) throws {
    let present = try Self.verify(test.directory, disabling: nil)
    #expect(present.status == 0)
    let absent = try Self.verify(test.directory, disabling: test.codec)
    #expect(absent.status == 1)

    let before = Self.segments(present.document), after = Self.segments(absent.document)
    #expect(before.keys.sorted() == after.keys.sorted())
    let needing = after.keys.filter { file in test.suffixes.contains { file.hasSuffix($0) } }
    #expect(!needing.isEmpty)
    let unreadableNames = Set(needing.compactMap { after[$0]?["name"] as? String })
    for (file, segment) in after {
      if needing.contains(file) {
        #expect(segment["status"] as? String == "unreadable", "\(file)")
        #expect(segment["records"] as? Int == 0, "\(file)")
      } else {
        #expect(segment["status"] as? String == before[file]?["status"] as? String, "\(file)")
        #expect(segment["problems"] as? Int == 0, "\(file)")
        // A record that continues into a file that cannot be read cannot be checked whole: a
        // complete (not switched) segment followed by such a file counts one record fewer.
        let continuesIntoUnreadable = segment["status"] as? String == "complete"
          && (segment["name"] as? String).flatMap(Self.next).map(unreadableNames.contains) == true
        let expected = (before[file]?["records"] as? Int ?? -1) - (continuesIntoUnreadable ? 1 : 0)
        #expect(segment["records"] as? Int == expected, "\(file)")
      }
    }
    let problems = (absent.document["problems"] as? [[String: Any]] ?? []).filter { $0["severity"] as? String == "problem" }
    #expect(problems.count == needing.count)
    for problem in problems {
      #expect(problem["kind"] as? String == "codec-unavailable")
      #expect(needing.contains(problem["file"] as? String ?? ""))
      let message = problem["message"] as? String ?? ""
      #expect(message.hasPrefix("\(test.format) file not read: "), "\(message)")
      #expect(message.contains("(Debian package \(test.package))"), "\(message)")
    }
  }

  @Test func withoutLibdeflateGzipIsReadByZlibAlike() throws {
    let directory = "TestData/pg15-repositories/flat-mixed"
    let fast = try Self.verify(directory, disabling: nil)
    let zlib = try Self.verify(directory, disabling: "libdeflate")
    #expect(zlib.status == 0)
    let before = Self.segments(fast.document), after = Self.segments(zlib.document)
    #expect(after.keys.contains { $0.hasSuffix(".gz") })
    for (file, segment) in after {
      #expect(segment["records"] as? Int == before[file]?["records"] as? Int, "\(file)")
      #expect(segment["status"] as? String == before[file]?["status"] as? String, "\(file)")
    }
  }

  @Test func withoutLibcryptoPgBackRestChecksumsAreNotCheckedAndSaySo() throws {
    let repository = "TestData/pg15-repositories/pgbackrest"
    let checked = try Self.verify(repository, disabling: nil)
    #expect(checked.status == 0)
    let unchecked = try Self.verify(repository, disabling: "sha1")
    #expect(unchecked.status == 1)
    let before = Self.segments(checked.document), after = Self.segments(unchecked.document)
    #expect(!after.isEmpty && before.keys.sorted() == after.keys.sorted())
    for (file, segment) in after {
      #expect(segment["status"] as? String == before[file]?["status"] as? String, "\(file)")
      #expect(segment["records"] as? Int == before[file]?["records"] as? Int, "\(file)")
    }
    let problems = unchecked.document["problems"] as? [[String: Any]] ?? []
    // One per stored segment, and one each for archive.info and its copy, whose
    // backrest-checksum is a SHA-1 too.
    let infoFiles = problems.compactMap { ($0["file"] as? String).map { ($0 as NSString).lastPathComponent } }
      .filter { $0.hasPrefix("archive.info") }
    #expect(infoFiles.sorted() == ["archive.info", "archive.info.copy"])
    #expect(problems.count == after.count + 2)
    for problem in problems {
      #expect(problem["kind"] as? String == "codec-unavailable")
      let message = problem["message"] as? String ?? ""
      #expect(message.contains("was not checked: libcrypto.so."), "\(message)")
      #expect(message.contains("(Debian package libssl3)"), "\(message)")
    }
  }

  @Test func aMissingImageCodecStopsSavingFullPagesWithTheReason() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("walkit-fpw-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try CLITests.walkit(["inspect", "-q", "--save-fullpage", directory.path, "-p", "TestData/pg15/archive"],
                                  environment: ["WALKIT_DISABLE_CODECS": "zstd"])
    #expect(run.status == 2)
    #expect(run.stderr.contains("zstd image at "))
    #expect(run.stderr.contains("not restored: libzstd.so.1 cannot be used: disabled by WALKIT_DISABLE_CODECS (Debian package libzstd1)"))
  }

  @Test func versionListsTheLibrariesFoundAndThoseThatAreNot() throws {
    let all = try CLITests.walkit(["--version"])
    #expect(all.status == 0)
    for library in ["zlib ", "liblz4.so.1", "libzstd.so.1", "libbz2.so.1", "liblzma.so.5", "libbrotlidec.so.1",
                    "libdeflate.so.0", "libcrypto.so."] {
      #expect(all.stdout.contains(library), "\(library)")
    }
    #expect(!all.stdout.contains("not found") && !all.stdout.contains("disabled"))
    let without = try CLITests.walkit(["--version"], environment: ["WALKIT_DISABLE_CODECS": "brotli,sha1"])
    #expect(without.stdout.contains("libbrotlidec.so.1: disabled by WALKIT_DISABLE_CODECS"))
    #expect(without.stdout.contains("libcrypto.so.3: disabled by WALKIT_DISABLE_CODECS"))
    #expect(without.stdout.contains("liblz4.so.1 "))
  }
}
