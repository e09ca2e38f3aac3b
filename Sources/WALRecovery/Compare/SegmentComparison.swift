import WALCore
import WALIO
import WALReader
import WALDescriptions

/// How two copies of one segment's LSN range compare.
public struct SegmentComparison: Sendable {
  public enum Result: String, Sendable {
    /// Byte for byte the same file.
    case identical
    /// The same records up to the end of valid WAL; only what lies past it differs, or one
    /// side ends earlier where WAL may end (a `.partial`, a zero tail).
    case sameWAL = "same-wal"
    /// The record streams differ.
    case different
    /// One side's copy is damaged (its valid WAL stops where the other's goes on, not at a
    /// place where WAL may end) or cannot be read: damage, not another history.
    case damaged
    case onlyInA = "only-in-a"
    case onlyInB = "only-in-b"
  }

  public var segment: SegmentNumber
  public var fileA: WALFile?
  public var fileB: WALFile?
  public var result: Result
  /// Where the record streams stop being the same: the first differing record's LSN.
  public var firstDifferentLSN: LSN?
  /// The first differing byte (outside page headers), as an offset in the files.
  public var firstDifferentOffset: UInt64?
  /// The records at the divergence, one per side (nil where that side has none).
  public var recordA: RecordSummary?
  public var recordB: RecordSummary?
  /// Where each side's valid WAL ends in this segment.
  public var validThroughA: LSN?
  public var validThroughB: LSN?
  /// Why the result is what it is, in words.
  public var note: String
  /// A segment only one side has whose copy is damaged or unreadable (so that it is not taken
  /// for WAL the other side lacks).
  public var copyIsDamaged = false
  /// For a prefix (``Result/sameWAL`` where one side ends early at a place WAL may end): whether
  /// the shorter copy is A's, and where its WAL ends.
  public var prefix: (onA: Bool, end: LSN)?
  /// Where one copy's WAL ends short of the other's (a prefix, or damage), what lies or went
  /// wrong there, and where the other's ends.
  var shortEnding: (onA: Bool, end: LSN, detail: String, otherEnd: LSN)?
  /// Whether the first difference lies, on side A and on side B, in the part of a record
  /// continued from the previous segment (before the first record that starts here).
  public var differsInContinuationA = false
  public var differsInContinuationB = false
  /// The system identifier in each copy's first page header (nil where unread or not WAL).
  public var systemIdentifierA: UInt64?
  public var systemIdentifierB: UInt64?

  /// True when a copy of the segment is damaged: one of two (``Result/damaged``), or the only one.
  public var isDamaged: Bool { result == .damaged || copyIsDamaged }

  /// Compares the two files holding segment `segment`.
  /// `followingA` and `followingB` give each side's next segments, so that a last record that
  /// continues there is read whole and its bytes in this segment compared too.
  static func compare(segment: SegmentNumber, _ a: WALFile, _ b: WALFile, geometry: WALGeometry, scanner: SegmentScanner,
                      followingA: (SegmentName) throws(WALProblem) -> SegmentData?, followingB: (SegmentName) throws(WALProblem) -> SegmentData?) -> SegmentComparison
  {
    var comparison = SegmentComparison(segment: segment, fileA: a, fileB: b, result: .different, note: "")
    let dataA: SegmentData, dataB: SegmentData
    do {
      dataA = try SegmentData.load(path: a.path, inflateLimit: SegmentData.announcedSegmentSize, named: a.compressionByName)
      dataB = try SegmentData.load(path: b.path, inflateLimit: SegmentData.announcedSegmentSize, named: b.compressionByName)
    } catch {
      comparison.result = .damaged
      comparison.note = "cannot compare: \(error)"
      return comparison
    }
    comparison.systemIdentifierA = systemIdentifier(of: dataA)
    comparison.systemIdentifierB = systemIdentifier(of: dataB)
    if let idA = comparison.systemIdentifierA, let idB = comparison.systemIdentifierB, idA != idB {
      comparison.firstDifferentOffset = UInt64(PageHeader.Layout.systemIdentifier)
      comparison.note = "of different database systems: system identifier \(idA) in A, \(idB) in B"
      return comparison
    }
    if dataA.bytes.count == dataB.bytes.count && (dataA.bytes.isEmpty || memoryEqual(dataA.bytes, dataB.bytes)) {
      comparison.result = .identical
      comparison.note = "byte for byte"
      return comparison
    }
    var recordsA: [RecordSummary] = [], recordsB: [RecordSummary] = []
    let scanA = scanner.scan(dataA, file: a.path, name: a.name, following: followingA, visit: { recordsA.append(RecordSummary($0)) })
    let scanB = scanner.scan(dataB, file: b.path, name: b.name, following: followingB, visit: { recordsB.append(RecordSummary($0)) })
    guard let start = geometry.startLSN(of: segment) else { return comparison }
    let segmentEnd = start.advanced(by: geometry.segmentSize) ?? start
    // A last record that continues into a segment the side does not have counts as far as it
    // goes here; after an XLOG SWITCH record the rest of the segment is unused.
    func end(_ scan: SegmentScan, _ records: [RecordSummary]) -> LSN {
      switch scan.ending {
      case .continuesBeyond: return segmentEnd
      case .switched: return min(records.last?.end ?? start, segmentEnd)
      default: return min(scan.validThrough ?? start, segmentEnd)
      }
    }
    let endA = end(scanA, recordsA)
    let endB = end(scanB, recordsB)
    comparison.validThroughA = scanA.validThrough
    comparison.validThroughB = scanB.validThrough
    let common = Int(min(endA, endB).distance(from: start))

    if let offset = firstDifference(dataA.bytes, dataB.bytes, upTo: common, pageSize: Int(geometry.pageSize)) {
      let lsn = start.advanced(by: UInt64(offset))!
      comparison.firstDifferentOffset = UInt64(offset)
      comparison.differsInContinuationA = Self.isInContinuation(lsn, scanA)
      comparison.differsInContinuationB = Self.isInContinuation(lsn, scanB)
      comparison.recordA = recordsA.last { $0.lsn <= lsn }
      comparison.recordB = recordsB.last { $0.lsn <= lsn }
      if let record = comparison.recordA, record.end > lsn {
        comparison.firstDifferentLSN = record.lsn
        comparison.recordB = recordsB.first { $0.lsn == record.lsn } ?? comparison.recordB
        comparison.note = "records differ from \(record.lsn)"
      } else {
        comparison.firstDifferentLSN = lsn
        comparison.note = "bytes differ at \(lsn), inside a record continued from the previous segment"
      }
      return comparison
    }
    if endA == endB {
      comparison.result = .sameWAL
      if endA == start, let pastEndA = Self.pastEndKind(a, scanA), let pastEndB = Self.pastEndKind(b, scanB) {
        comparison.note = "neither holds WAL of this segment: both lie past their side's end of WAL (A: \(pastEndA); B: \(pastEndB))"
      } else {
        comparison.note = "the same records up to \(endA); only bytes past the end of WAL differ"
      }
      return comparison
    }
    let (shorterScan, shorterFile, longerEnd) = endA < endB ? (scanA, a, endB) : (scanB, b, endA)
    let shorterEnd = min(endA, endB)
    let endsCleanly = shorterFile.isPartial || shorterScan.endOfWALSignature != nil
    let lsn = shorterEnd
    comparison.firstDifferentLSN = lsn
    comparison.firstDifferentOffset = UInt64(common)
    comparison.recordA = endA < endB ? nil : recordsA.first { $0.lsn >= lsn }
    comparison.recordB = endA < endB ? recordsB.first { $0.lsn >= lsn } : nil
    if endsCleanly {
      comparison.result = .sameWAL
      comparison.prefix = (endA < endB, shorterEnd)
      comparison.shortEnding = (endA < endB, shorterEnd, Self.endKind(shorterFile, shorterScan), longerEnd)
    } else {
      comparison.result = .damaged
      comparison.shortEnding = (endA < endB, shorterEnd, (shorterScan.stopProblem ?? shorterScan.problems.first)?.message ?? "damaged", longerEnd)
    }
    comparison.note = comparison.shortEndingNote
    return comparison
  }

  /// The note for a copy whose WAL ends short of the other's.
  var shortEndingNote: String {
    guard let shortEnding else { return note }
    let side = shortEnding.onA ? "A" : "B"
    return result == .sameWAL
      ? "\(side) is a prefix: its WAL ends at \(shortEnding.end) (\(shortEnding.detail)), the other goes on to \(shortEnding.otherEnd)"
      : "\(side)'s valid WAL stops at \(shortEnding.end): \(shortEnding.detail); the other goes on to \(shortEnding.otherEnd)"
  }

  /// A copy that ends short holding nothing of its segment but part of the record continued
  /// into it ends, as WAL, where that record starts (`recordStart`, read from the segments before).
  mutating func placeShortEnd(geometry: WALGeometry, recordStart: (_ onA: Bool, SegmentName) -> LSN?) {
    guard result == .sameWAL || result == .damaged, let short = shortEnding, let name = (short.onA ? fileA : fileB)?.name,
      let start = geometry.startLSN(of: segment), short.end <= start.advanced(by: UInt64(PageHeader.longSize)) ?? start,
      let recordStart = recordStart(short.onA, name), recordStart < start
    else { return }
    shortEnding?.end = recordStart
    if prefix != nil { prefix = (short.onA, recordStart) }
    firstDifferentLSN = recordStart
    note = shortEndingNote + "; the record from \(recordStart) continued into this segment is unfinished on that side"
  }

  /// A prefix whose side holds WAL in a later segment of its timeline (`laterWAL`): its WAL
  /// cannot end there, so the copy is damaged.
  mutating func judgePrefix(laterWAL: (Bool, SegmentNumber, TimelineID) -> SegmentName?) {
    guard result == .sameWAL, let prefix, let file = prefix.onA ? fileA : fileB, !file.isPartial,
      let timeline = file.name?.timeline, let later = laterWAL(prefix.onA, segment, timeline)
    else { return }
    result = .damaged
    note = "\(prefix.onA ? "A" : "B")'s valid WAL stops at \(prefix.end), but \(later) follows on that side: damage, not an end of WAL"
  }

  /// A segment only one side holds, read as well: its valid WAL must go to its end (or to an
  /// XLOG SWITCH, a `.partial`'s end, or a place where WAL may end).
  static func onOneSide(segment: SegmentNumber, _ file: WALFile, isInA: Bool, geometry: WALGeometry, scanner: SegmentScanner,
                        following: (SegmentName) throws(WALProblem) -> SegmentData?) -> SegmentComparison
  {
    let side = isInA ? "A" : "B"
    var comparison = SegmentComparison(segment: segment, fileA: isInA ? file : nil, fileB: isInA ? nil : file,
                                       result: isInA ? .onlyInA : .onlyInB, note: "only in \(side)")
    let data: SegmentData
    do {
      data = try SegmentData.load(path: file.path, inflateLimit: SegmentData.announcedSegmentSize, named: file.compressionByName)
    } catch {
      comparison.copyIsDamaged = true
      comparison.note += ", and it cannot be read: \(error.message)"
      return comparison
    }
    if isInA { comparison.systemIdentifierA = systemIdentifier(of: data) } else { comparison.systemIdentifierB = systemIdentifier(of: data) }
    let scan = scanner.scan(data, file: file.path, name: file.name, following: following, visit: nil)
    if isInA { comparison.validThroughA = scan.validThrough } else { comparison.validThroughB = scan.validThrough }
    // A file cut short is damaged even as a `.partial` (pg_receivewal's are full size).
    let cutShort = (scan.problems + [scan.stopProblem].compactMap { $0 }).first { $0.kind == .truncatedFile }
    var stop: LSN?
    if case .stopped(let at) = scan.ending, !file.isPartial, scan.endOfWALSignature == nil { stop = at }
    guard cutShort != nil || stop != nil else { return comparison }
    comparison.copyIsDamaged = true
    let end = (stop ?? scan.validThrough).map { " at \($0)" } ?? ""
    comparison.note += ", and damaged: its valid WAL stops\(end): \((cutShort ?? scan.stopProblem ?? scan.problems.first)?.message ?? "damaged")"
    return comparison
  }

  /// The system identifier in a copy's first page header, when that is a WAL page header.
  static func systemIdentifier(of data: SegmentData) -> UInt64? {
    guard let header = PageHeader(decoding: data.bytes), WALVersion(pageMagic: header.magic) != nil else { return nil }
    return header.long?.systemIdentifier
  }

  /// What lies where a side's WAL ends: a `.partial`'s end, zeros, or an older segment's pages
  /// (a recycled file) or bytes.
  static func endKind(_ file: WALFile, _ scan: SegmentScan) -> String {
    if file.isPartial { return ".partial" }
    switch scan.endOfWALSignature {
    case .stalePage?: return "recycled: older pages after it"
    case .stalePrevLink?: return "stale bytes after it"
    case .zeros?, nil: return "zero tail"
    }
  }

  /// Whether `lsn` lies in the part of a record that `scan`'s segment continues from the one before.
  static func isInContinuation(_ lsn: LSN, _ scan: SegmentScan) -> Bool {
    scan.continuedBytes > 0 && scan.firstRecord.map { lsn < $0 } ?? true
  }

  /// What a file that holds no WAL of its segment is, when that is an end of WAL and not damage.
  static func pastEndKind(_ file: WALFile, _ scan: SegmentScan) -> String? {
    if file.isPartial { return "a .partial" }
    switch scan.endOfWALSignature {
    case .stalePage?: return "a recycled file"
    case .stalePrevLink?: return "stale bytes"
    case .zeros?: return "zero-filled"
    case nil: return nil
    }
  }

  static func memoryEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    a.count == b.count && memcmpBytes(a.baseAddress!, b.baseAddress!, a.count) == 0
  }

  /// The offset of the first byte that differs before `limit`, not counting page headers
  /// (their timeline legitimately differs on a new timeline's copy of a switch segment).
  static func firstDifference(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, upTo limit: Int, pageSize: Int) -> Int? {
    let end = min(limit, a.count, b.count)
    var page = 0
    while page < end {
      let from = page + (page == 0 ? PageHeader.longSize : PageHeader.shortSize)
      let to = min(page + pageSize, end)
      if from < to, memcmpBytes(a.baseAddress! + from, b.baseAddress! + from, to - from) != 0 {
        for offset in from..<to where a[offset] != b[offset] { return offset }
      }
      page += pageSize
    }
    return nil
  }
}
