// libFuzzer targets for WALKit. scripts/fuzz compiles this file together with WALKit's
// sources into one module, with -sanitize=fuzzer,address.

/// libFuzzer entry point. The first byte picks the target; the rest is its input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
  guard count > 0 else { return 0 }
  let input = UnsafeRawBufferPointer(start: start + 1, count: count - 1)
  switch start[0] % 6 {
  case 0: FuzzTargets.segment(input)
  case 1: FuzzTargets.history(input)
  case 2: FuzzTargets.names(input)
  case 3: FuzzTargets.backupLabel(input)
  case 4: FuzzTargets.compressed(input)
  default: FuzzTargets.catalogues(input)
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

  static func backupLabel(_ bytes: UnsafeRawBufferPointer) {
    _ = try? BackupLabel(text: text(bytes))
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

  /// Backup tools' bookkeeping: pgBackRest's archive.info, Barman's xlog.db, stored names.
  static func catalogues(_ bytes: UnsafeRawBufferPointer) {
    let array = Array(bytes)
    if let info = try? PgBackRestArchiveInfo(bytes: array) { _ = info.cluster(archiveID: info.current.archiveID) }
    _ = BarmanCatalogue.parse(array)
    for line in text(bytes).split(separator: "\n") { _ = PgBackRestRepository.splitChecksum(String(line)) }
  }
}
