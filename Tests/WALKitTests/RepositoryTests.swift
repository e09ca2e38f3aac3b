import Foundation
import Testing
@testable import WALKit
@testable import WALReader

/// The same PostgreSQL 15 WAL kept as archive commands and backup tools keep it
/// (TestData/pg15-repositories, made by TestData/generate/make-repository-fixtures.sh with the real
/// pgBackRest and Barman).
@Suite struct RepositoryTests {
  static let base = "pg15-repositories"
  static let layouts: [(String, RepositoryLayout)] = [
    ("flat", .flat), ("flat-mixed", .flat), ("pgbackrest", .pgBackRest), ("walg", .walG), ("barman/pg15", .barman),
  ]

  static func path(_ relative: String) -> String { Fixture.path(base + "/" + relative) }

  /// pg_waldump's record count for the flat copy, and the segment range it read.
  static func waldumpRecordCount() throws -> Int {
    let summary = try Fixture.text(base + "/waldump-summary.txt")
    let line = try #require(summary.split(separator: "\n").first { $0.hasPrefix("records:") })
    return try #require(Int(line.split(separator: " ").last!))
  }

  static func copyTree(_ relative: String, into scratch: Scratch) throws -> String {
    let target = scratch.file(URL(fileURLWithPath: relative).lastPathComponent)
    try FileManager.default.copyItem(atPath: path(relative), toPath: target)
    return target
  }

  @Test(arguments: layouts.map(\.0))
  func everyLayoutHoldsTheWALPgWaldumpRead(_ relative: String) throws {
    let layout = try #require(Self.layouts.first { $0.0 == relative }?.1)
    let report = try Verifier().verify(paths: [Self.path(relative)])
    #expect(report.repositories.map(\.layout) == [layout])
    #expect(report.isClean, "\(report.problems)")
    #expect(report.recordCount == (try Self.waldumpRecordCount()))
  }

  @Test func everyCompressionIsReadByItsContent() throws {
    let mixed = try Verifier().verify(paths: [Self.path("flat-mixed")])
    #expect(Set(mixed.segments.map(\.scan.compression)).isSuperset(of: [.plain, .gzip, .zstd, .lz4, .bzip2, .xz]))
    let walG = try Verifier().verify(paths: [Self.path("walg")])
    #expect(Set(walG.segments.map(\.scan.compression)).isSuperset(of: [.lz4, .zstd, .brotli, .lzma]))
    let pgBackRest = try Verifier().verify(paths: [Self.path("pgbackrest")])
    #expect(Set(pgBackRest.segments.map(\.scan.compression)).isSuperset(of: [.plain, .gzip, .lz4, .zstd, .bzip2]))
    let barman = try Verifier().verify(paths: [Self.path("barman/pg15")])
    #expect(Set(barman.segments.map(\.scan.compression)).isSuperset(of: [.gzip, .bzip2]))
  }

  @Test func gapsGivesOneVerdictWhereverTheWALSits() throws {
    let label = try WALCatalog.backupLabel(at: Self.path("backup_label"))
    var verdicts: [String] = []
    for (relative, layout) in Self.layouts {
      for namesOnly in [false, true] {
        let report = try GapAnalysis(sources: [Self.path(relative)], start: .backup(label, origin: "backup_label"),
                                     checksContent: !namesOnly).run()
        #expect(report.sources.first?.repository?.layout == layout)
        #expect(report.continuous, "\(relative): \(report.problems)")
        #expect(report.problems.map(\.kind) == (relative == "flat-mixed" ? [.mixedCompression] : []), "\(relative): \(report.problems)")
        #expect(report.reachesConsistency == true)
        verdicts.append("\(report.continuous) \(report.reachableLSN) \(report.path.map(\.step.name))")
      }
    }
    #expect(Set(verdicts.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)).count == 1, "\(verdicts)")
  }

  @Test func aSuffixThatLiesIsAProblemAndTheContentIsStillRead() throws {
    let scratch = try Scratch()
    let directory = try Self.copyTree("flat-mixed", into: scratch)
    let names = try FileManager.default.contentsOfDirectory(atPath: directory)
    let zst = try #require(names.first { $0.hasSuffix(".zst") })
    let lying = String(zst.dropLast(4)) + ".gz"
    try FileManager.default.moveItem(atPath: directory + "/" + zst, toPath: directory + "/" + lying)
    let report = try Verifier().verify(paths: [directory])
    #expect(report.problems.map(\.kind) == [.mixedCompression, .compressionMismatch])
    #expect(report.problems.last?.location.file == directory + "/" + lying)
    #expect(report.problems.last?.message == "the name says gzip (.gz), the content is zstd")
    #expect(report.recordCount == (try Self.waldumpRecordCount()))
    #expect(report.segments.allSatisfy { $0.status != .damaged })
  }

  /// TestData/pg18-timeline/archive (a promotion to timeline 2, with its history, backup and
  /// `.partial` files) laid out as barman-cloud-wal-archive --gzip lays out a server's WAL:
  /// `SERVER/wals/<16 hex>/<file>.gz`, history files in `wals/`, no `xlog.db`.
  static func barmanCloudCopy(into scratch: Scratch) throws -> String {
    let archive = Fixture.path("pg18-timeline/archive")
    let wals = scratch.file("barman/srv/wals")
    for name in try FileManager.default.contentsOfDirectory(atPath: archive) {
      let directory = name.hasSuffix(".history") ? wals : wals + "/" + name.prefix(16)
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      try Fixture.run("/bin/gzip", ["-c", archive + "/" + name]).write(to: URL(fileURLWithPath: directory + "/" + name + ".gz"))
    }
    return scratch.file("barman/srv")
  }

  /// A Barman cloud archive is read as what it is, on its own or as the one server of its
  /// destination, and gives the verdicts the same WAL gives in a plain archive.
  @Test func aBarmanCloudArchiveGivesThePlainArchivesVerdicts() throws {
    let scratch = try Scratch()
    let server = try Self.barmanCloudCopy(into: scratch)
    let plain = Fixture.path("pg18-timeline/archive")
    #expect(RepositoryLayout.detect(directory: server) == .barmanCloud)
    // Named with --layout barman-cloud, the destination stands for its one server too.
    let named = try WALInputs(paths: [scratch.file("barman")], layout: .barmanCloud)
    let direct = try WALInputs(paths: [server])
    #expect(named.repositories.first?.layout == .barmanCloud && named.files.count == direct.files.count)
    let expected = try Verifier().verify(paths: [plain])
    for source in [server, server + "/wals", scratch.file("barman")] {
      let report = try Verifier().verify(paths: [source])
      #expect(report.repositories.first?.layout == .barmanCloud, "\(source)")
      #expect(report.recordCount == expected.recordCount)
      #expect(report.segments.map { $0.name?.description } == expected.segments.map { $0.name?.description })
      #expect(report.problems.map(\.kind) == expected.problems.map(\.kind))
      let gaps = try GapAnalysis(sources: [source]).run()
      let plainGaps = try GapAnalysis(sources: [plain]).run()
      #expect(gaps.continuous == plainGaps.continuous && gaps.reachableLSN == plainGaps.reachableLSN)
      #expect(gaps.path.map(\.step.name) == plainGaps.path.map(\.step.name))
      #expect(gaps.problems.map(\.kind) == plainGaps.problems.map(\.kind))
    }
  }

  /// A segment compressed as `barman-cloud-wal-archive --snappy` compresses it (TestData/snappy,
  /// made with Barman 3.19's own compressor from TestData/pg16's segment 8) reads as the plain
  /// segment; a damaged chunk fails its checksum and a cut stream is reported, not read as WAL.
  @Test func aSnappyStreamReadsAsThePlainSegment() throws {
    let snappy = Fixture.path("snappy/000000010000000000000008.snappy")
    let plain = try Verifier().verify(paths: [Fixture.path("pg16/archive/000000010000000000000008")])
    let report = try Verifier().verify(paths: [snappy])
    #expect(report.problems.isEmpty, "\(report.problems)")
    #expect(report.segments.first?.scan.compression == .snappy)
    #expect(report.recordCount == plain.recordCount)
    #expect(report.segments.first?.scan.validThrough == plain.segments.first?.scan.validThrough)

    let scratch = try Scratch()
    let bytes = try Scratch.bytes(snappy)
    var damaged = bytes
    damaged[bytes.count / 2] ^= 0x20
    try Scratch.write(damaged, to: scratch.file("000000010000000000000008.snappy"))
    let corrupt = try Verifier().verify(paths: [scratch.file("000000010000000000000008.snappy")])
    #expect(corrupt.problems.first?.kind == .corruptCompressedFile, "\(corrupt.problems)")
    var badChecksum = bytes
    badChecksum[14] ^= 0x01  // the first data chunk's stored CRC-32C (after the 10-byte identifier chunk and its header)
    try Scratch.write(badChecksum, to: scratch.file("000000010000000000000008.snappy"))
    let checksum = try Verifier().verify(paths: [scratch.file("000000010000000000000008.snappy")])
    #expect(checksum.problems.first?.message.contains("chunk checksum mismatch") == true, "\(checksum.problems)")
    try Scratch.write(Array(bytes.prefix(bytes.count / 3)), to: scratch.file("000000010000000000000008.snappy"))
    let cut = try Verifier().verify(paths: [scratch.file("000000010000000000000008.snappy")])
    #expect(!cut.problems.isEmpty && cut.segments.allSatisfy { $0.status != .complete }, "\(cut.problems)")
  }

  /// A missing timeline history is named where Barman keeps history files: in `wals/`, not in
  /// the `<16 hex>` directory of the timeline's first segment.
  @Test func aMissingHistoryIsNamedWhereBarmanKeepsIt() throws {
    let scratch = try Scratch()
    let server = try Self.barmanCloudCopy(into: scratch)
    try FileManager.default.removeItem(atPath: server + "/wals/00000002.history.gz")
    let report = try Verifier().verify(paths: [server])
    #expect(report.problems.first { $0.kind == .missingHistory }?.location.file == server + "/wals/00000002.history", "\(report.problems)")
    let gaps = try GapAnalysis(sources: [server]).run()
    let missing = gaps.problems.filter { $0.kind == .missingHistory }.compactMap(\.location.file)
    #expect(!missing.isEmpty && missing.allSatisfy { $0 == server + "/wals/00000002.history" }, "\(gaps.problems)")
  }

  /// What only looks like a Barman cloud archive is not read as one: a Barman server on disk
  /// whose xlog.db is gone (Barman keeps incoming/ and streaming/ beside wals/) is Barman's, with
  /// its catalogue missing; segments of a directory's own beside a wals/ directory are that
  /// directory's.
  @Test func onlyABarmanCloudArchiveIsReadAsOne() throws {
    let scratch = try Scratch()
    let server = try Self.copyTree("barman/pg15", into: scratch)
    try FileManager.default.removeItem(atPath: server + "/wals/xlog.db")
    for marker in ["incoming", "streaming"] { try FileManager.default.createDirectory(atPath: server + "/" + marker, withIntermediateDirectories: true) }
    #expect(RepositoryLayout.detect(directory: server) == .barman)
    #expect(throws: WALInputs.Error.self) { try Verifier().verify(paths: [server]) }

    let flat = try Self.copyTree("flat", into: scratch)
    let cloud = try Self.barmanCloudCopy(into: scratch)
    try FileManager.default.moveItem(atPath: cloud + "/wals", toPath: flat + "/wals")
    #expect(RepositoryLayout.detect(directory: flat) == .flat)
  }

  /// A pgBackRest object named on its own (`SEGMENT-SHA1.ext`, as pgBackRest 2.45 wrote them)
  /// is its segment, stored as its suffix says: no false compression mismatch.
  @Test func aPgBackRestObjectNamedAloneIsItsSegment() throws {
    let directory = Self.path("pgbackrest/archive/" + (try #require(try FileManager.default.subpathsOfDirectory(atPath: Self.path("pgbackrest/archive"))
      .first { $0.hasSuffix("/0000000100000000") })))
    let objects = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.count >= 65 && !$0.hasSuffix(".backup") }
    #expect(objects.count >= 5)
    for object in objects {
      let report = try Verifier().verify(paths: [directory + "/" + object])
      #expect(report.problems.isEmpty, "\(object): \(report.problems)")
      #expect(report.segments.first?.name?.description == String(object.prefix(24)))
      #expect(report.segments.first?.file.compressionByName == Compression(suffix: object.dropFirst(65)))
    }
  }

  /// Segments stored in several ways in one directory: a note (a restore_command that copies, or
  /// one that runs one decompressor, fails on some of them), not a problem; one way is no note.
  @Test func aDirectoryOfSegmentsStoredSeveralWaysHasANote() throws {
    let mixed = try Verifier().verify(paths: [Self.path("flat-mixed")])
    #expect(mixed.isClean)
    #expect(mixed.problems.map(\.kind) == [.mixedCompression])
    #expect(mixed.problems.first?.severity == .note)
    #expect(mixed.problems.first?.location.file == Self.path("flat-mixed"))
    #expect(mixed.problems.first?.message.hasPrefix("the 7 segments (plain 1, gzip 2, zstd 1, lz4 1, bzip2 1, xz 1) are stored in more than one way") == true)
    #expect(try GapAnalysis(sources: [Self.path("flat-mixed")]).run().problems.map(\.kind) == [.mixedCompression])
    for uniform in [Self.path("flat"), Fixture.path("pg15-16mb/archive")] {
      #expect(try Verifier().verify(paths: [uniform]).problems.isEmpty, "\(uniform)")
    }
  }

  /// gzip's bytes under a plain segment name: PostgreSQL 15's pg_waldump refuses the file (a
  /// standby restoring it with `cp` stops there), so it is a problem, though walkit can read it.
  @Test func compressedContentUnderAPlainNameIsAProblem() throws {
    let scratch = try Scratch()
    let directory = try Self.copyTree("flat", into: scratch)
    let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.count == 24 }.sorted()
    let plain = directory + "/" + names[1]
    try Fixture.run("/bin/gzip", ["-k", plain])
    try FileManager.default.removeItem(atPath: plain)
    try FileManager.default.moveItem(atPath: plain + ".gz", toPath: plain)

    let waldump = Process()
    waldump.executableURL = URL(fileURLWithPath: "/usr/lib/postgresql/15/bin/pg_waldump")
    waldump.arguments = ["-q", "-p", directory, names[0], names[2]]
    let errors = Pipe()
    waldump.standardError = errors
    try waldump.run()
    let refusal = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    waldump.waitUntilExit()
    #expect(waldump.terminationStatus != 0)
    #expect(refusal.contains("error:") && refusal.contains(names[1]), "\(refusal)")

    let report = try Verifier().verify(paths: [directory])
    #expect(report.problems.map(\.kind) == [.compressionMismatch])
    #expect(report.problems.first?.location.file == plain)
    #expect(report.problems.first?.message.hasPrefix("the name has no compression suffix, the content is gzip") == true)

    // A standby that copies it is refused the file: replay stops where it would without it.
    let gaps = try GapAnalysis(sources: [directory]).run()
    #expect(!gaps.continuous)
    #expect(gaps.blockingProblem?.kind == .compressionMismatch)
    try FileManager.default.removeItem(atPath: plain)
    let without = try GapAnalysis(sources: [directory]).run()
    #expect(!without.continuous)
    #expect(gaps.reachableLSN == without.reachableLSN)
  }

  @Test func truncatedAndCorruptStreamsAreUnreadableWithTheLibrarysReason() throws {
    let scratch = try Scratch()
    let directory = try Self.copyTree("walg/wal_005", into: scratch)
    let compressed = try FileManager.default.contentsOfDirectory(atPath: directory)
      .filter { WALFile.classify(fileName: $0) != .other && $0.contains(".") && !$0.contains("history") && !$0.contains("backup") }
      .sorted()
    #expect(compressed.count >= 4)
    for name in compressed {
      let path = directory + "/" + name
      let original = try Scratch.bytes(path)
      try Scratch.write(Array(original.prefix(original.count / 2)), to: path)
      let truncated = try Verifier().verify(paths: [path])
      #expect(truncated.segments.first?.status == .unreadable, "\(name)")
      #expect(truncated.problems.first?.kind == .corruptCompressedFile, "\(name): \(truncated.problems)")
      try Scratch.write(original, to: path)
    }
  }

  /// The zstd and lz4 decoders are kept per thread from one file to the next: one left in the
  /// middle of a stream (a prefix read, a truncated or corrupt file) must read the next whole.
  @Test func aDecoderLeftMidStreamReadsTheNextFileWhole() throws {
    let scratch = try Scratch()
    let directory = try Self.copyTree("flat-mixed", into: scratch)
    for suffix in [".zst", ".lz4", ".gz"] {
      let name = try #require(try FileManager.default.contentsOfDirectory(atPath: directory)
        .first { $0.hasSuffix(suffix) && !$0.contains("backup") })
      let path = directory + "/" + name
      let whole = try SegmentData.load(path: path).withUnsafeBytes { Array($0) }
      #expect(whole.count == 1 << 20, "\(name): the fixtures are 1 MB segments")
      let original = try Scratch.bytes(path)
      var corrupt = original
      corrupt[corrupt.count / 2] ^= 0xFF
      let damaged = [Array(original.prefix(original.count / 2)), corrupt]
      for (index, bytes) in damaged.enumerated() {
        let broken = scratch.file("broken-\(index)-" + name)
        try Scratch.write(bytes, to: broken)
        _ = try? SegmentData.load(path: broken)
        let prefix = try SegmentData.load(path: path, prefix: 256 << 10)
        #expect(prefix.isPrefix, "\(name)")
        #expect(try SegmentData.load(path: path).withUnsafeBytes { Array($0) } == whole, "\(name) after damaged file \(index)")
      }
    }
  }

  /// One worker decompresses a segment a record continues into whole and keeps it for its own
  /// reading; several decompress only its start. Both must say the same of every file.
  @Test(arguments: ["flat-mixed", "walg/wal_005", "pgbackrest"])
  func oneWorkerAndSeveralAgree(_ layout: String) throws {
    let scratch = try Scratch()
    let directory = try Self.copyTree(layout, into: scratch)
    func summary(_ report: VerificationReport) -> [String] {
      report.segments.map { segment in
        "\(segment.file.path) \(segment.status) \(segment.scan.recordCount) \(String(describing: segment.scan.lastRecord)) "
          + "\(segment.scan.validThrough) \(segment.problems.map(\.description))"
      } + report.problems.map(\.description)
    }
    let clean = summary(try Verifier(jobs: 1).verify(paths: [directory]))
    #expect(clean == summary(try Verifier(jobs: 3).verify(paths: [directory])))
    #expect(clean.count >= 4)

    let compressed = try #require(FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String }
      .filter { path in
        let name = URL(fileURLWithPath: path).lastPathComponent
        return SegmentName(fileName: name.prefix(24)) != nil && name.contains(".") && !name.contains("backup")
      }.sorted().dropFirst().first)
    let path = directory + "/" + compressed
    var bytes = try Scratch.bytes(path)
    bytes[bytes.count / 2] ^= 0xFF
    try Scratch.write(bytes, to: path)
    let damaged = summary(try Verifier(jobs: 1).verify(paths: [directory]))
    #expect(damaged != clean)
    #expect(damaged == summary(try Verifier(jobs: 3).verify(paths: [directory])))
  }

  @Test func pgBackRestChecksumsAreCheckedAfterDecompression() throws {
    let scratch = try Scratch()
    let repository = try Self.copyTree("pgbackrest", into: scratch)
    let stored = try #require(FileManager.default.enumerator(atPath: repository)?.compactMap { $0 as? String }
      .first { $0.contains("/0000000100000000/") && $0.hasSuffix(".gz") })
    let name = URL(fileURLWithPath: stored).lastPathComponent
    let dash = try #require(name.firstIndex(of: "-"))
    let renamed = String(name[..<dash]) + "-" + String(repeating: "0", count: 40) + ".gz"
    let directory = URL(fileURLWithPath: repository + "/" + stored).deletingLastPathComponent().path
    try FileManager.default.moveItem(atPath: directory + "/" + name, toPath: directory + "/" + renamed)
    let report = try Verifier().verify(paths: [repository])
    #expect(report.problems.map(\.kind) == [.checksumMismatch])
    #expect(report.problems.first?.location.file == directory + "/" + renamed)
    #expect(report.problems.first?.message.contains("the file name carries SHA-1 0000000000000000000000000000000000000000, the checksum the backup tool took of the segment; the decompressed content has \(name[name.index(after: dash)...].prefix(40))") == true)
  }

  /// pgBackRest with `compress-type=none` stores plain objects, `SEGMENT-SHA1` without a
  /// suffix. verify reads a plain file only as far as its WAL goes (a switch, the end of WAL);
  /// the checksum still covers the whole file, and a good object is not called damaged.
  @Test func plainPgBackRestObjectsAreHashedWhole() throws {
    let scratch = try Scratch()
    let repository = try Self.copyTree("pgbackrest", into: scratch)
    let objects = try #require(FileManager.default.enumerator(atPath: repository)?.compactMap { $0 as? String }
      .filter { $0.contains("/0000000100000000/") && !$0.contains(".backup") }.sorted())
    try #require(objects.count >= 5)
    func plainName(_ object: String) -> String { object.split(separator: ".").first.map(String.init) ?? object }
    for object in objects where plainName(object) != object {
      let path = repository + "/" + object
      let data = try SegmentData.load(path: path)
      try Scratch.write(Array(data.bytes), to: repository + "/" + plainName(object))
      try FileManager.default.removeItem(atPath: path)
    }
    for jobs in [1, 2] {
      let report = try Verifier(jobs: jobs).verify(paths: [repository])
      #expect(report.segments.count == objects.count)
      #expect(report.problems.isEmpty, "\(report.problems.map(\.description))")
      #expect(report.segments.contains { segment in
        if case .switched = segment.scan.ending { return true } else { return false }
      })
    }

    let damaged = repository + "/" + plainName(objects[1])
    var bytes = try Scratch.bytes(damaged)
    bytes[bytes.count - 1] ^= 0x01
    try Scratch.write(bytes, to: damaged)
    let report = try Verifier(jobs: 1).verify(paths: [repository])
    #expect(report.problems.map(\.kind) == [.checksumMismatch])
  }

  /// archive-get looks for a segment only under its own 16-digit directory: a stray copy with
  /// another checksum elsewhere neither stops the restore of the one in place, nor stands in
  /// for it when it is gone.
  @Test func aSegmentPgBackRestKeepsInAnotherDirectoryIsNotRestored() throws {
    let scratch = try Scratch()
    let repository = try Self.copyTree("pgbackrest", into: scratch)
    let (directory, name, otherChecksum) = try Self.thirdStoredSegment(in: repository)
    let stray = URL(fileURLWithPath: directory).deletingLastPathComponent().appendingPathComponent("0000000100000001").path
    try FileManager.default.createDirectory(atPath: stray, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: directory + "/" + name, toPath: stray + "/" + otherChecksum)
    let segment = try #require(SegmentName(fileName: name.prefix(24)))
    let label = try WALCatalog.backupLabel(at: Self.path("backup_label"))

    let report = try Verifier().verify(paths: [repository])
    #expect(report.problems.map(\.kind) == [.catalogMismatch], "\(report.problems)")
    #expect(report.problems.first?.location.segment == segment)
    #expect(report.problems.first?.message.contains("archive-get does not find it") == true)
    #expect(try GapAnalysis(sources: [repository], start: .backup(label, origin: "backup_label"), checksContent: false).run().continuous)

    try FileManager.default.removeItem(atPath: directory + "/" + name)
    let gaps = try GapAnalysis(sources: [repository], start: .backup(label, origin: "backup_label"), checksContent: false).run()
    #expect(!gaps.continuous)
    #expect(gaps.missingRanges.map(\.first) == [segment], "\(gaps.problems)")
  }

  /// The directory and file name of the third segment stored in the pgBackRest `repository`,
  /// and its name with another checksum.
  static func thirdStoredSegment(in repository: String) throws -> (directory: String, name: String, otherChecksum: String) {
    let files = FileManager.default.enumerator(atPath: repository)!.compactMap { $0 as? String }
      .filter { $0.contains("/0000000100000000/") && !$0.contains(".backup") }.sorted()
    let third = try #require(files.dropFirst(2).first)
    let name = URL(fileURLWithPath: third).lastPathComponent
    let directory = URL(fileURLWithPath: repository + "/" + third).deletingLastPathComponent().path
    return (directory, name, String(name.prefix(25)) + String(repeating: "f", count: 40) + name.dropFirst(65))
  }

  @Test func aSegmentPgBackRestHoldsTwiceStopsARestore() throws {
    let scratch = try Scratch()
    let repository = try Self.copyTree("pgbackrest", into: scratch)
    let (directory, name, copy) = try Self.thirdStoredSegment(in: repository)
    try FileManager.default.copyItem(atPath: directory + "/" + name, toPath: directory + "/" + copy)
    let segment = try #require(SegmentName(fileName: name.prefix(24)))

    let report = try Verifier().verify(paths: [repository])
    #expect(report.problems.map(\.kind) == [.duplicateSegment])
    #expect(report.problems.first?.location.segment == segment)

    let label = try WALCatalog.backupLabel(at: Self.path("backup_label"))
    let gaps = try GapAnalysis(sources: [repository], start: .backup(label, origin: "backup_label"), checksContent: false).run()
    #expect(!gaps.continuous)
    #expect(gaps.blockingProblem?.kind == .duplicateSegment)
    #expect(gaps.problems.map(\.kind) == [.duplicateSegment])
    #expect(gaps.reachableLSN == LSN(0x800000))
  }

  /// The same segment stored again with the same checksum, uncompressed beside its gzip copy:
  /// pgBackRest 2.45's archive-get restores it ("found … in the repo1: 15-1 archive"); only
  /// copies with different checksums are duplicates to it.
  @Test func aSegmentPgBackRestHoldsTwiceWithOneChecksumIsRestored() throws {
    let scratch = try Scratch()
    let repository = try Self.copyTree("pgbackrest", into: scratch)
    let stored = try #require(FileManager.default.enumerator(atPath: repository)?.compactMap { $0 as? String }
      .first { $0.contains("/0000000100000000/") && $0.hasSuffix(".gz") })
    let plain = repository + "/" + String(stored.dropLast(3))
    try Fixture.run("/bin/gzip", ["-dc", repository + "/" + stored]).write(to: URL(fileURLWithPath: plain))
    let report = try Verifier().verify(paths: [repository])
    #expect(report.isClean, "\(report.problems)")
    let label = try WALCatalog.backupLabel(at: Self.path("backup_label"))
    #expect(try GapAnalysis(sources: [repository], start: .backup(label, origin: "backup_label")).run().continuous)
  }

  @Test func anEncryptedPgBackRestRepositoryIsNamedAsSuch() throws {
    #expect {
      try WALInputs(paths: [Self.path("pgbackrest-encrypted")])
    } throws: { error in
      "\(error)".contains("encrypted") && "\(error)".contains("Salted__")
    }
  }

  /// Barman's home (`barman_home`) holds one directory per server; named, it stands for its
  /// one server, and with several servers walkit asks which.
  @Test func barmansHomeStandsForItsServer() throws {
    let home = try Verifier().verify(paths: [Self.path("barman")])
    #expect(home.repositories.map(\.layout) == [.barman])
    #expect(home.repositories.first?.path == Self.path("barman/pg15"))
    #expect(home.isClean, "\(home.problems)")
    #expect(home.recordCount == (try Self.waldumpRecordCount()))

    let scratch = try Scratch()
    let twoServers = scratch.file("barman")
    try FileManager.default.createDirectory(atPath: twoServers, withIntermediateDirectories: true)
    for server in ["main", "reports"] {
      try FileManager.default.copyItem(atPath: Self.path("barman/pg15"), toPath: twoServers + "/" + server)
    }
    #expect {
      try WALInputs(paths: [twoServers])
    } throws: { error in
      "\(error)".contains("Barman's home holds the servers main, reports: name one (\(twoServers)/main)")
    }
  }

  @Test func barmanCatalogueIsCheckedAgainstTheFiles() throws {
    let scratch = try Scratch()
    let server = try Self.copyTree("barman/pg15", into: scratch)
    let catalogue = server + "/wals/xlog.db"
    let lines = try String(contentsOfFile: catalogue, encoding: .utf8).split(separator: "\n").map(String.init)
    let segmentLines = lines.filter { $0.split(separator: "\t").first?.count == 24 }
    let missing = String(try #require(segmentLines.dropFirst(2).first).split(separator: "\t")[0])
    try FileManager.default.removeItem(atPath: server + "/wals/" + missing.prefix(16) + "/" + missing)
    let resized = segmentLines[0].split(separator: "\t").map(String.init)
    let edited = lines.map { $0 == segmentLines[0] ? [resized[0], "12345", resized[2], resized[3]].joined(separator: "\t") : $0 }
    try (edited.joined(separator: "\n") + "\n").write(toFile: catalogue, atomically: false, encoding: .utf8)

    let report = try Verifier().verify(paths: [server])
    let kinds = report.problems.map(\.kind)
    #expect(kinds.filter { $0 == .catalogMismatch }.count == 2, "\(report.problems)")
    #expect(kinds.contains(.missingSegment))
    #expect(report.problems.contains { $0.message.hasPrefix("xlog.db lists \(missing) (") && $0.message.hasSuffix("the file is missing") })
    #expect(report.problems.contains { $0.message.hasPrefix("xlog.db records 12345 bytes, the file has ") })

    let label = try WALCatalog.backupLabel(at: Self.path("backup_label"))
    let gaps = try GapAnalysis(sources: [server], start: .backup(label, origin: "backup_label"), checksContent: false).run()
    #expect(gaps.missingRanges.map(\.first.description) == [missing])
    #expect(gaps.missingRanges.map(\.count) == [1])
  }

  /// Barman 3.14 and later write a fifth field, the encryption (`None`), and the oldest
  /// catalogues lack the compression (plain files): Barman reads all three, and so does walkit.
  @Test func barmanCataloguesOfEveryVersionAreRead() throws {
    let scratch = try Scratch()
    let server = try Self.copyTree("barman/pg15", into: scratch)
    let catalogue = server + "/wals/xlog.db"
    let lines = try String(contentsOfFile: catalogue, encoding: .utf8).split(separator: "\n").map(String.init)
    let oldest = try #require(lines.first { $0.hasPrefix("00000001000000000000000B\t") && $0.hasSuffix("\tbzip2") })
    let stored = server + "/wals/0000000100000000/00000001000000000000000B"
    let plain = try Fixture.run("/bin/bzip2", ["-dc", stored])
    try plain.write(to: URL(fileURLWithPath: stored))
    let fields = oldest.split(separator: "\t").map(String.init)
    let edited = lines.map { $0 == oldest ? [fields[0], String(plain.count), fields[2]].joined(separator: "\t") : $0 + "\tNone" }
    try (edited.joined(separator: "\n") + "\n").write(toFile: catalogue, atomically: false, encoding: .utf8)

    let report = try Verifier().verify(paths: [server])
    #expect(report.isClean, "\(report.problems)")
    #expect(!report.problems.contains { $0.kind == .catalogMismatch || $0.kind == .compressionMismatch })
    #expect(report.recordCount == (try Self.waldumpRecordCount()))
  }

  /// A segment Barman encrypted (`encryption = gpg`, recorded in xlog.db's fifth field) is
  /// not read as WAL: walkit says it cannot read it, not that it is damaged, and the record
  /// that continues into it is not broken.
  @Test func aSegmentBarmanEncryptedIsNotReadAsWAL() throws {
    let scratch = try Scratch()
    let server = try Self.copyTree("barman/pg15", into: scratch)
    let catalogue = server + "/wals/xlog.db"
    let lines = try String(contentsOfFile: catalogue, encoding: .utf8).split(separator: "\n").map(String.init)
    let encrypted = "000000010000000000000009"
    let stored = server + "/wals/0000000100000000/" + encrypted
    var cipher = [UInt8](repeating: 0, count: 70_000)
    var generator = SystemRandomNumberGenerator()
    for index in cipher.indices { cipher[index] = UInt8.random(in: 0...255, using: &generator) }
    cipher[0] = 0x85  // an OpenPGP packet header, as gpg writes
    try Scratch.write(cipher, to: stored)
    let edited = lines.map { line -> String in
      guard line.hasPrefix(encrypted + "\t") else { return line + "\tNone" }
      let fields = line.split(separator: "\t").map(String.init)
      return [fields[0], String(cipher.count), fields[2], "None", "gpg"].joined(separator: "\t")
    }
    try (edited.joined(separator: "\n") + "\n").write(toFile: catalogue, atomically: false, encoding: .utf8)

    let report = try Verifier().verify(paths: [server])
    let found = report.problems.filter { $0.severity == .problem }
    #expect(found.map(\.kind) == [.codecUnavailable], "\(report.problems)")
    #expect(found.first?.message.hasPrefix("encrypted (gpg, as xlog.db records)") == true)
    #expect(found.first?.location.file?.hasSuffix(encrypted) == true)
    #expect(report.segments.first { $0.name?.description == encrypted }?.status == .unreadable)
  }

  /// A compressed segment whose line is gone from xlog.db: Barman does not know it, but its
  /// get-wal serves it by content all the same, so its plain name is no compression problem and
  /// replay goes on through it.
  @Test func aBarmanSegmentMissingFromTheCatalogueIsStillRestoredByContent() throws {
    let scratch = try Scratch()
    let server = try Self.copyTree("barman/pg15", into: scratch)
    let catalogue = server + "/wals/xlog.db"
    let lines = try String(contentsOfFile: catalogue, encoding: .utf8).split(separator: "\n").map(String.init)
    let dropped = try #require(lines.first { $0.hasPrefix("000000010000000000000008\t") && $0.hasSuffix("\tgzip") })
    try (lines.filter { $0 != dropped }.joined(separator: "\n") + "\n").write(toFile: catalogue, atomically: false, encoding: .utf8)

    let report = try Verifier().verify(paths: [server])
    #expect(report.problems.map(\.kind) == [.catalogMismatch], "\(report.problems)")
    #expect(report.problems.first?.message.hasPrefix("not listed in xlog.db") == true)
    let label = try WALCatalog.backupLabel(at: Self.path("backup_label"))
    let gaps = try GapAnalysis(sources: [server], start: .backup(label, origin: "backup_label")).run()
    #expect(gaps.continuous, "\(gaps.problems)")
  }

  @Test func aLayoutNamedThatIsNotThereIsAnError() throws {
    #expect(throws: WALInputs.Error.self) { try WALInputs(paths: [Self.path("flat")], layout: .pgBackRest) }
    #expect(throws: WALInputs.Error.self) { try WALInputs(paths: [Self.path("flat")], layout: .barman) }
    #expect(throws: WALInputs.Error.self) { try WALInputs(paths: [Self.path("flat")], layout: .walG) }
    #expect(try WALInputs(paths: [Self.path("pgbackrest")], layout: .flat).files.isEmpty)
  }
}
