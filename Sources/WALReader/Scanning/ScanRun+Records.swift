import WALCore
import WALIO

/// The record loop: records one after another to the end of the segment, and resynchronising
/// after damage.
extension ScanRun {
  mutating func readRecords(first: PageHeader, into result: inout SegmentScan, visit: ((WALRecord) -> Void)?) {
    let segmentEnd = segmentStart.advanced(by: geometry.segmentSize) ?? LSN(.max)
    var position = segmentStart.advanced(by: UInt64(PageHeader.longSize))!
    var previous: LSN?
    var first = first

    func stop(_ reason: ScanStop, at lsn: LSN, result: inout SegmentScan) {
      result.validThrough = lsn
      result.ending = .stopped(at: lsn)
      switch reason {
      case .problem(let problem, let endLike):
        result.stopProblem = problem
        result.endOfWALSignature = endLike
      case .truncated where segments[0].isGrowingPartial:
        result.stopProblem = problem(.incompleteSegment,
          "the compressed .partial's content ends at \(lsn): pg_receivewal has received this far (it does not pad a compressed file)",
          at: lsn)
        result.endOfWALSignature = .zeros
      case .truncated:
        break
      case .beyondAvailable:
        result.ending = .continuesBeyond(recordStart: lsn)
      case .followedSegmentChanged(let problem):
        result.stopProblem = problem
      case .overwritten:
        break
      }
    }

    if let requestedStart, requestedStart > position, requestedStart < segmentEnd {
      // A record starts MAXALIGNed past its page's header (XRecOffIsValid, and the alignment
      // every record boundary has): a backup label may name anything.
      guard requestedStart.maxAligned == requestedStart, geometry.pageOffset(of: requestedStart) >= UInt64(PageHeader.shortSize) else {
        stop(.problem(problem(.invalidRecord,
          "invalid record offset at \(requestedStart): no record starts there (records start at 8-byte boundaries past a page header)",
          at: requestedStart), endLike: nil), at: requestedStart, result: &result)
        return
      }
      position = requestedStart
      let page = LSN(requestedStart.rawValue - geometry.pageOffset(of: requestedStart))
      if page > segmentStart {
        do throws(ScanStop) {
          _ = try validatePage(at: page, continuing: nil)
        } catch {
          stop(error, at: page, result: &result)
          return
        }
      }
      first.info &= ~PageHeader.Flags.continuesRecord
    }

    if first.continuesRecord, first.remainingLength == 0 {
      // XLP_FIRST_IS_CONTRECORD with nothing to continue: PostgreSQL refuses it whether a record
      // ran into the segment ("invalid contrecord length") or not ("contrecord is requested").
      stop(.problem(problem(.brokenContinuation,
        "invalid contrecord length 0 at \(segmentStart): the first page says a record continues onto it (XLP_FIRST_IS_CONTRECORD) with no bytes of it left (xlp_rem_len 0)",
        at: segmentStart), endLike: nil), at: segmentStart, result: &result)
      return
    }
    if first.continuesRecord {
      result.continuedBytes = UInt64(first.remainingLength)
      if let switchRecord = switchRecordCrossingIn(continued: Int(first.remainingLength)) {
        result.ending = .switched(switchRecord: switchRecord)
        result.validThrough = segmentEnd
        result.lastPageTimeline = lastPageTimeline
        return
      }
      do {
        position = try skipContinuation(from: position, remaining: UInt64(first.remainingLength), segmentEnd: segmentEnd)
      } catch {
        if case .overwritten(let resume) = error {
          position = resume
        } else {
          stop(error, at: position, result: &result)
          return
        }
      }
      if position >= segmentEnd {
        let dataInSegment = geometry.segmentSize - UInt64(PageHeader.longSize)
          - (geometry.pagesPerSegment - 1) * UInt64(PageHeader.shortSize)
        let remaining = UInt64(first.remainingLength)
        // The record may also end in the segment's last bytes, its end MAXALIGNed to the boundary.
        result.continuationDueAfterEnd = remaining > dataInSegment ? remaining - dataInSegment : 0
        result.validThrough = segmentEnd
        result.ending = .complete(nextRecord: position)
        result.lastPageTimeline = lastPageTimeline
        return
      }
    }

    let keepingBytes = visit != nil && !scanner.deliversHeadersOnly
    // Unwrapped once: calling an optional closure bound per record retains its context each time.
    let visitsRecords = visit != nil
    let visitRecord: (WALRecord) -> Void
    if let visit { visitRecord = visit } else { visitRecord = { _ in } }
    let readEnd = min(segmentEnd, requestedEnd ?? segmentEnd)
    let onePage = OnePageRecords(segmentStart: segmentStart, geometry: geometry, version: version, scanner: scanner)
    while true {
      if position >= readEnd {
        result.ending = .complete(nextRecord: position)
        result.validThrough = position
        break
      }
      if let last = previous {
        let run = visitsRecords
          ? onePage.run(in: firstBytes, from: position, previous: last, before: readEnd,
                        timeline: fileTimeline ?? lastPageTimeline, visit: visitRecord)
          : onePage.run(in: firstBytes, from: position, previous: last, before: readEnd)
        if run.count > 0 {
          result.recordCount += run.count
          result.lastRecord = run.last
          previous = run.last
          position = run.next
          continue
        }
      }
      do throws(ScanStop) {
        if geometry.pageOffset(of: position) == 0 {
          let header = try validatePage(at: position, continuing: nil)
          if header.continuesRecord {
            throw ScanStop.problem(problem(.brokenContinuation,
              "contrecord is requested by \(position): the page continues a record, but the previous record ended before it",
              at: position), endLike: nil)
          }
          position = position.advanced(by: UInt64(header.size))!
          continue
        }
        let record = try readRecord(at: position, previous: previous, keepingBytes: keepingBytes)
        if visitsRecords {
          visitRecord(WALRecord(lsn: position, end: record.end, header: record.header, bytes: record.bytes,
                          blocks: BlockReferences(scanner.blockStorage, count: record.facts.blockCount), mainDataRange: record.facts.mainData, origin: record.facts.origin,
                          topLevelXID: record.facts.topLevelXID, version: version, geometry: geometry,
                          timeline: fileTimeline ?? lastPageTimeline))
        }
        result.recordCount += 1
        if result.firstRecord == nil {
          result.firstRecord = position
          result.firstRecordPrevious = record.header.previous
        }
        result.lastRecord = position
        previous = position
        if record.header.isSegmentSwitch {
          result.ending = .switched(switchRecord: position)
          result.validThrough = segmentEnd
          break
        }
        position = record.end.maxAligned
      } catch {
        if case .overwritten(let resume) = error {
          position = resume
          continue
        }
        if scanner.resynchronizes, case .problem(let problem, nil) = error,
          let resume = resynchronize(after: position, segmentEnd: segmentEnd)
        {
          result.problems.append(problem)
          result.resumptions.append(SegmentScan.Resumption(damagedAt: position, resumedAt: resume))
          previous = nil
          position = resume
          continue
        }
        stop(error, at: position, result: &result)
        break
      }
    }
    result.lastPageTimeline = lastPageTimeline
  }

  /// The next record boundary after damage at `position`: the first later page of the segment
  /// whose header is valid, past the continuation data it announces.
  mutating func resynchronize(after position: LSN, segmentEnd: LSN) -> LSN? {
    var page = LSN((position.rawValue / geometry.pageSize + 1) * geometry.pageSize)
    while page < segmentEnd {
      if let header = try? validatePage(at: page, continuing: nil) {
        let dataStart = page.advanced(by: UInt64(header.size))!
        guard header.continuesRecord else { return dataStart }
        if let next = try? skipContinuation(from: dataStart, remaining: UInt64(header.remainingLength), segmentEnd: segmentEnd) {
          return next
        }
      }
      page = page.advanced(by: geometry.pageSize)!
    }
    return nil
  }
}
