// libFuzzer targets for WALKit. scripts/fuzz compiles this file together with WALKit's
// sources into one module, with -sanitize=fuzzer,address.

#if canImport(Glibc)
import Glibc
#endif

/// With `WALKIT_FUZZ_RECORD_SEEDS=DIR` and `WALKIT_FUZZ_SEGMENTS=a:b:…`, writes one seed for the
/// record target per record type and version found in those segments, and exits.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>>>) -> CInt {
  guard let directory = getenv("WALKIT_FUZZ_RECORD_SEEDS").map({ String(cString: $0) }),
    let segments = getenv("WALKIT_FUZZ_SEGMENTS").map({ String(cString: $0) })
  else { return 0 }
  var seen = Set<String>()
  let scanner = SegmentScanner()
  for path in segments.split(separator: ":") {
    guard let data = try? SegmentData.load(path: String(path)) else { continue }
    _ = scanner.scan(data, file: String(path), name: nil, visit: { record in
      let key = "\(record.version.major)-\(record.header.resourceManagerID)-\(record.header.info)-\(record.blocks.count > 0)"
      guard record.hasAllBytes, record.bytes.count < 16 << 10, seen.insert(key).inserted,
        let file = fopen("\(directory)/\(key)", "w")
      else { return }
      var bytes: [UInt8] = [6, UInt8(record.version.major - 10)]
      bytes += record.bytes
      _ = fwrite(bytes, 1, bytes.count, file)
      fclose(file)
    })
  }
  exit(0)
}

/// libFuzzer entry point. The first byte picks the target; the rest is its input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
  guard count > 0 else { return 0 }
  let input = UnsafeRawBufferPointer(start: start + 1, count: count - 1)
  switch start[0] % 8 {
  case 0: FuzzTargets.segment(input)
  case 1: FuzzTargets.history(input)
  case 2: FuzzTargets.names(input)
  case 3: FuzzTargets.backupLabel(input)
  case 4: FuzzTargets.compressed(input)
  case 5: FuzzTargets.catalogues(input)
  case 6: FuzzTargets.record(input)
  default: FuzzTargets.recoveryPath(input)
  }
  return 0
}

/// What each fuzz target feeds its input to.
enum FuzzTargets {
  nonisolated(unsafe) static let scanner = SegmentScanner()

  /// The segment decoder: the input is a segment, read as a named and as an unnamed file, with
  /// the input again as the following segment.
  static func segment(_ bytes: UnsafeRawBufferPointer) {
    let data = SegmentData(copying: bytes)
    let name = SegmentName(fileName: "000000010000000000000001")
    _ = scanner.scan(data, file: "fuzz", name: name, following: { _ in data }, visit: { record in
      _ = record.mainData.count
      _ = record.typeName
      for block in record.blocks {
        _ = record.bytes(in: block.data).count
        if block.hasImage { _ = try? FullPageImage.restore(block, of: record) }
      }
    })
    _ = scanner.scan(data, file: "fuzz", name: nil)
  }

  static func text(_ bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes, as: UTF8.self) }

  static func history(_ bytes: UnsafeRawBufferPointer) {
    if let history = try? TimelineHistory(timeline: TimelineID(7), text: text(bytes)) {
      _ = history.spans
      _ = history.timeline(at: LSN(0x1000000))
    }
  }

  static func names(_ bytes: UnsafeRawBufferPointer) {
    for line in text(bytes).split(separator: "\n") {
      _ = WALFile.classify(fileName: String(line))
      _ = LSN(String(line))
      if let name = SegmentName(fileName: line), let geometry = WALGeometry(segmentSize: 1 << 20, pageSize: 8192) {
        _ = name.segment(in: geometry)
      }
    }
  }

  /// A backup label; and the same bytes as a cluster's control file and as a replication
  /// slot's state, with their CRCs made right so that the fields behind them are decoded.
  static func backupLabel(_ bytes: UnsafeRawBufferPointer) {
    _ = try? BackupLabel(text: text(bytes))
    controlFile(bytes)
    replicationSlot(bytes)
  }

  static func controlFile(_ bytes: UnsafeRawBufferPointer) {
    let versions: [UInt32] = [1002, 1100, 1201, 1300, 1700, 1800]
    var file = [UInt8](bytes.prefix(8192))
    guard file.count >= 12 else { return }
    let version = versions[Int(file[8]) % versions.count]
    withUnsafeBytes(of: version.littleEndian) { file.replaceSubrange(8..<12, with: $0) }
    if let layout = ControlFile.Layout(controlVersion: version), file.count >= layout.crc + 4 {
      let crc = file.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<layout.crc])) }
      withUnsafeBytes(of: crc.littleEndian) { file.replaceSubrange(layout.crc..<(layout.crc + 4), with: $0) }
    }
    _ = file.withUnsafeBytes { try? ControlFile(decoding: $0, path: "fuzz") }
  }

  static func replicationSlot(_ bytes: UnsafeRawBufferPointer) {
    var file = [UInt8](bytes.prefix(4096))
    guard file.count >= 16 else { return }
    withUnsafeBytes(of: ReplicationSlot.magic.littleEndian) { file.replaceSubrange(0..<4, with: $0) }
    let length = UInt32(file.count - 16)
    if file[12] & 1 == 0 { withUnsafeBytes(of: length.littleEndian) { file.replaceSubrange(12..<16, with: $0) } }
    let crc = file.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[8...])) }
    withUnsafeBytes(of: crc.littleEndian) { file.replaceSubrange(4..<8, with: $0) }
    _ = file.withUnsafeBytes { try? ReplicationSlot(decoding: $0, path: "fuzz") }
  }

  /// A compressed file: the first byte picks the format, the rest is the stream; what it
  /// expands to is read as a segment.
  static func compressed(_ bytes: UnsafeRawBufferPointer) {
    guard let selector = bytes.first else { return }
    let formats = Compression.allCases.filter { $0 != .plain }
    let stream = SegmentData(copying: bytes.dropFirst())
    guard stream.bytes.count > 0, let data = try? Decompression.expand(
      stream, format: formats[Int(selector) % formats.count], location: WALLocation(file: "fuzz"),
      limit: SegmentData.announcedSegmentSize)
    else { return }
    _ = scanner.scan(data, file: "fuzz", name: nil)
  }

  /// Backup tools' bookkeeping: pgBackRest's archive.info, Barman's xlog.db, stored names; and
  /// what an object store answers (a listing page, an error document) and the AWS files.
  static func catalogues(_ bytes: UnsafeRawBufferPointer) {
    let array = Array(bytes)
    _ = try? S3ListingXML(array)
    _ = S3ListingXML.error(in: array)
    _ = AWSProfileFile(text: text(bytes)).profile("default", isConfigFile: true)
    if let info = try? PgBackRestArchiveInfo(bytes: array) { _ = info.cluster(archiveID: info.current.archiveID) }
    _ = BarmanCatalogue.parse(array)
    for line in text(bytes).split(separator: "\n") { _ = PgBackRestRepository.splitChecksum(String(line)) }
  }

  /// A record as it stands once its CRC checked out (a CRC is no defence against a crafted
  /// record): the first byte picks the version, the rest is the record, header included, with
  /// its length field set to the input's. Everything a record reaches runs on it.
  static func record(_ bytes: UnsafeRawBufferPointer) {
    guard bytes.count > RecordHeader.size + 1, let version = WALVersion(major: 10 + Int(bytes[0] % 9)) else { return }
    var record = Array(bytes.dropFirst())
    withUnsafeBytes(of: UInt32(record.count).littleEndian) { record.replaceSubrange(0..<4, with: $0) }
    record.withUnsafeBytes { raw in
      // The record loop's lean check must accept exactly what the decoder accepts.
      for blockSize in [8192, 4096] {
        let lean = RecordBodyDecoder.isConsistent(raw, totalLength: raw.count, version: version, dataBlockSize: blockSize)
        let full = (try? RecordBodyDecoder.check(raw, totalLength: raw.count, version: version, dataBlockSize: blockSize)) != nil
        precondition(lean == full, "isConsistent says \(lean), check says \(full)")
      }
      let header = RecordHeader(unchecked: raw)
      guard ResourceManagerIDs.isValid(header.resourceManagerID, in: version) else { return }
      let storage = UnsafeMutablePointer<BlockReference>.allocate(capacity: RecordBodyDecoder.blockCapacity)
      defer { storage.deallocate() }
      guard let facts = try? RecordBodyDecoder.decode(raw, totalLength: raw.count, version: version, dataBlockSize: 8192,
                                                      blocks: storage)
      else { return }
      let blocks = BlockReferences(storage, count: facts.blockCount)
      let start = LSN(0x100_0028)
      let walRecord = WALRecord(lsn: start, end: start.advanced(by: UInt64(raw.count))!, header: header, bytes: raw,
                                blocks: blocks, mainDataRange: facts.mainData, origin: facts.origin,
                                topLevelXID: facts.topLevelXID, version: version, geometry: .standard, timeline: TimelineID(1))
      exercise(walRecord)
    }
  }

  /// Every reader of a record: pg_waldump's lines, statistics, filters, diff summaries,
  /// full-page images.
  static func exercise(_ record: WALRecord) {
    _ = record.pgWaldumpLine
    _ = record.pgWaldumpLineWithBlockDetails
    _ = record.pgWaldumpDetail
    _ = record.typeName
    var statistics = WALStatistics()
    statistics.add(record)
    let relation = record.blocks.first?.relation
    _ = RecordFilter(resourceManagers: [record.header.resourceManagerID], xid: record.header.xid, relation: relation,
                     block: record.blocks.first?.blockNumber, fork: record.blocks.first?.fork, fullPageImagesOnly: true)
      .matches(record)
    _ = RecordSummary(record)
    for block in record.blocks where block.hasImage { _ = try? FullPageImage.restore(block, of: record) }
  }

  /// Names of a directory as gaps and diff see them: one per line, segment names (any
  /// timeline, any distance apart) and history texts after a `#`; the recovery path through
  /// them and diff's pairing must stay bounded by the names given.
  static func recoveryPath(_ bytes: UnsafeRawBufferPointer) {
    guard let geometry = WALGeometry(segmentSize: 1 << 20, pageSize: 8192) else { return }
    var catalog = WALCatalog()
    var files: [WALFile] = []
    for line in text(bytes).split(separator: "\n").prefix(2000) {
      guard let name = SegmentName(fileName: line.prefix(24)), line.utf8.count >= 24 else { continue }
      if let history = line.split(separator: "#", maxSplits: 1).dropFirst().first, name.timeline > TimelineID(1) {
        catalog.histories[name.timeline] = try? TimelineHistory(timeline: name.timeline, text: history.split(separator: ";", omittingEmptySubsequences: false).joined(separator: "\n"))
        continue
      }
      let file = WALFile(path: "fuzz/\(name)", name: name)
      files.append(file)
      catalog.segments[name] = (file, 0)
    }
    guard let first = catalog.segments.keys.min(), let firstSegment = first.segment(in: geometry) else { return }
    let target = catalog.histories.keys.max() ?? first.timeline
    let spans = catalog.histories[target]?.spans ?? [TimelineHistory.Span(timeline: target, begin: .invalid, end: nil)]
    let last = GapAnalysis.lastSegment(on: spans, catalog: catalog, geometry: geometry) ?? firstSegment
    let path = RecoveryPath.build(spans: spans, from: firstSegment, through: max(firstSegment, last), geometry: geometry, catalog: catalog)
    var walk = PathWalk(path: path, scans: nil, catalog: catalog, geometry: geometry, start: geometry.startLSN(of: firstSegment) ?? .invalid)
    walk.run()
    _ = WALComparison.pair(files, Array(files.reversed().prefix(files.count / 2)), geometry: geometry)
  }
}
