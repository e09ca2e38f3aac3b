import WALCore
import WALIO

/// One record: its header checks, the assembly of its pieces across pages, CRC and body.
extension ScanRun {
  /// A record that passed every check.
  struct CheckedRecord {
    var header: RecordHeader
    var end: LSN
    /// The whole record, or only its header region when its bytes are not kept.
    var bytes: UnsafeRawBufferPointer
    var facts: RecordBodyFacts
  }

  /// Reads and validates the record at `lsn`. Unless `keepingBytes`, a record that crosses
  /// pages is checked piece by piece and only its headers are gathered.
  mutating func readRecord(at lsn: LSN, previous: LSN?, keepingBytes: Bool) throws(ScanStop) -> CheckedRecord {
    let pageRoom = Int(geometry.pageSize - geometry.pageOffset(of: lsn))
    // Whatever of the record the page holds: most records end on the page they start on.
    let local = try bytes(at: lsn, count: pageRoom, required: min(pageRoom, RecordHeader.size))
    let totalLength = ByteReader.field(local, at: 0, as: UInt32.self)
    guard totalLength >= UInt32(RecordHeader.size) else {
      throw ScanStop.problem(problem(.invalidRecord,
        "invalid record length at \(lsn): expected at least \(RecordHeader.size), got \(totalLength)", at: lsn),
        endLike: totalLength == 0 ? .zeros : nil)
    }
    guard totalLength <= SegmentScanner.maximumRecordLength else {
      throw ScanStop.problem(problem(.invalidRecord, "record length \(totalLength) at \(lsn) too long", at: lsn), endLike: nil)
    }
    if pageRoom >= RecordHeader.size {
      try validateHeader(RecordHeader(unchecked: local), at: lsn, previous: previous)
    }

    let recordBytes: UnsafeRawBufferPointer
    let end: LSN
    var crc: UInt32
    if Int(totalLength) <= local.count {
      recordBytes = UnsafeRawBufferPointer(rebasing: local[0..<Int(totalLength)])
      end = lsn.advanced(by: UInt64(totalLength))!
      crc = CRC32C.record(recordBytes)
    } else if Int(totalLength) <= pageRoom {
      recordBytes = try bytes(at: lsn, count: Int(totalLength), required: Int(totalLength))
      end = lsn.advanced(by: UInt64(totalLength))!
      crc = CRC32C.record(recordBytes)
    } else {
      (recordBytes, end, crc) = try assemble(at: lsn, totalLength: Int(totalLength), firstPiece: pageRoom,
                                             previous: previous, keepingBytes: keepingBytes)
      crc = CRC32C.finish(CRC32C.update(crc, UnsafeRawBufferPointer(rebasing: recordBytes[0..<RecordHeader.crcCoveredSize])))
    }
    let header = RecordHeader(unchecked: recordBytes)
    guard crc == header.crc else {
      throw ScanStop.problem(problem(.crcMismatch,
        "incorrect resource manager data checksum in record at \(lsn): stored \(Hex.prefixed(header.crc)), computed \(Hex.prefixed(crc))"
          + spannedSegments(from: lsn, to: end, length: totalLength),
        at: lsn), endLike: nil)
    }

    let facts: RecordBodyFacts
    do {
      facts = try RecordBodyDecoder.decode(recordBytes, totalLength: Int(totalLength), version: version,
                                           dataBlockSize: scanner.dataBlockSize, blocks: scanner.blockStorage)
    } catch {
      var located = error
      located.location = location(lsn)
      located.message += " at \(lsn)"
      throw ScanStop.problem(located, endLike: nil)
    }
    return CheckedRecord(header: header, end: end, bytes: recordBytes, facts: facts)
  }

  /// For a record that runs into later segments: which ones, since a damaged byte in any of
  /// them breaks its checksum.
  func spannedSegments(from lsn: LSN, to end: LSN, length: UInt32) -> String {
    let first = geometry.segment(containing: lsn), last = geometry.segment(containing: LSN(end.rawValue - 1))
    guard last > first else { return "" }
    let timeline = fileTimeline ?? lastPageTimeline
    let names = [first, last].map { SegmentName(timeline: timeline, segment: $0, geometry: geometry).map(String.init(describing:)) ?? "?" }
    return "; the record (\(length) bytes) runs from \(names[0]) to \(names[1]): a damaged byte in any of them gives this"
  }

  @inline(__always)
  func validateHeader(_ header: RecordHeader, at lsn: LSN, previous: LSN?) throws(ScanStop) {
    guard ResourceManagerIDs.isValid(header.resourceManagerID, in: version) else {
      throw ScanStop.problem(problem(.invalidRecord, "invalid resource manager ID \(header.resourceManagerID) at \(lsn)", at: lsn),
                         endLike: nil)
    }
    if let previous {
      guard header.previous == previous else {
        throw ScanStop.problem(problem(.invalidRecord,
          "record with incorrect prev-link \(header.previous) at \(lsn) (expected \(previous))", at: lsn),
          endLike: header.previous < previous ? .stalePrevLink : nil)
      }
    } else if header.previous >= lsn {
      throw ScanStop.problem(problem(.invalidRecord,
        "record with incorrect prev-link \(header.previous) at \(lsn): it points at or after the record", at: lsn),
        endLike: nil)
    }
  }

  /// Bytes gathered of a record whose bytes are not kept: more than the largest possible
  /// header region (33 block headers of 27 bytes, origin, top-level xid, data header).
  static let headerRegionLimit = 2048

  /// Follows a record across pages (and maybe segments), validating each page, and returns
  /// the record gathered into the scratch buffer (only its first `headerRegionLimit` bytes
  /// unless `keepingBytes`), its end, and the running CRC of its body.
  mutating func assemble(at lsn: LSN, totalLength: Int, firstPiece: Int, previous: LSN?,
                         keepingBytes: Bool) throws(ScanStop) -> (UnsafeRawBufferPointer, LSN, UInt32)
  {
    let keep = keepingBytes ? totalLength : min(totalLength, Self.headerRegionLimit)
    var consumed = 0
    var kept = 0
    var crc = CRC32C.start
    func take(_ piece: UnsafeRawBufferPointer) {
      if consumed + piece.count > RecordHeader.size {
        let bodyStart = max(0, RecordHeader.size - consumed)
        crc = CRC32C.update(crc, UnsafeRawBufferPointer(rebasing: piece[bodyStart...]))
      }
      if kept < keep {
        let count = min(piece.count, keep - kept)
        scanner.reserveScratch(kept + count)
        UnsafeMutableRawBufferPointer(rebasing: scanner.scratchBuffer[kept...])
          .copyMemory(from: UnsafeRawBufferPointer(rebasing: piece[0..<count]))
        kept += count
      }
      consumed += piece.count
    }
    take(try bytes(at: lsn, count: firstPiece, required: firstPiece))
    var headerChecked = firstPiece >= RecordHeader.size
    var page = lsn.advanced(by: UInt64(firstPiece))!
    var end = page
    while consumed < totalLength {
      let remaining = UInt64(totalLength - consumed)
      let header: PageHeader
      do {
        header = try validatePage(at: page, continuing: (remaining, lsn))
      } catch {
        // A later segment's own header problems are reported when that segment is read;
        // here they only mean the record cannot be finished.
        if geometry.segmentOffset(of: page) == 0, case .problem(let found, _) = error, found.kind != .brokenContinuation {
          throw ScanStop.beyondAvailable
        }
        throw error
      }
      let dataStart = page.advanced(by: UInt64(header.size))!
      let room = Int(geometry.pageSize) - header.size
      let count = min(room, Int(remaining))
      take(try bytes(at: dataStart, count: count, required: count))
      end = dataStart.advanced(by: UInt64(count))!
      page = page.advanced(by: geometry.pageSize)!
      if !headerChecked && consumed >= RecordHeader.size {
        headerChecked = true
        try validateHeader(RecordHeader(unchecked: UnsafeRawBufferPointer(scanner.scratchBuffer)), at: lsn, previous: previous)
      }
    }
    return (UnsafeRawBufferPointer(rebasing: scanner.scratchBuffer[0..<kept]), end, crc)
  }
}
