import WALCore
import WALIO
import WALReader
import WALDescriptions

/// Walks a recovery path in order as a standby would replay it: where it stops first, how far
/// it gets, and every problem on the way.
struct PathWalk {
  let path: RecoveryPath
  /// One scan per step with a file, when content is checked.
  let scans: [SegmentScan?]?
  let catalog: WALCatalog
  let geometry: WALGeometry
  let start: LSN

  private(set) var steps: [GapReport.Step] = []
  private(set) var problems: [WALProblem] = []
  /// Runs of consecutive missing segments on the path, in order.
  private(set) var missing: [GapReport.MissingRange] = []
  /// The first problem that stops replay.
  private(set) var blocking: WALProblem?
  /// How far replay gets: the end of the last record it can read.
  private(set) var reachable: LSN
  /// Where WAL on the path ends, ignoring what blocks replay before.
  private(set) var endOfWAL: LSN?

  /// The cluster the WAL must come from, and what says so.
  struct Cluster {
    var systemIdentifier: UInt64
    var evidence: String
  }
  let cluster: Cluster?

  init(path: RecoveryPath, scans: [SegmentScan?]?, catalog: WALCatalog, geometry: WALGeometry, start: LSN,
       cluster: Cluster? = nil) {
    self.cluster = cluster
    self.path = path
    self.scans = scans
    self.catalog = catalog
    self.geometry = geometry
    self.start = start
    reachable = start
  }

  /// Adds the report's step for `step`, naming the source directory its file comes from.
  private mutating func record(_ step: RecoveryStep, _ status: GapReport.StepStatus, scan: SegmentScan? = nil) {
    steps.append(GapReport.Step(step: step, status: status, source: catalog.source(step.source)?.path, scan: scan))
  }

  mutating func run() {
    steps.reserveCapacity(path.steps.count)
    var previous: SegmentScan?
    var lastRecord: LSN?
    /// A record whose reading could not be finished (a segment it continues into is missing or
    /// unreadable): replay stops at its start, whatever later segments hold.
    var unfinishedRecord: LSN?
    let pastLiveEnd = firstStepPastLiveEnd() ?? path.steps.count
    for (index, step) in path.steps.enumerated() {
      if index >= pastLiveEnd {
        let scan = scans?[index]
        record(step, scan?.endOfWALSignature == .zeros ? .unused : .recycled, scan: scan)
        continue
      }
      let segmentStart = geometry.startLSN(of: step.segment) ?? .invalid
      let segmentEnd = segmentStart.advanced(by: geometry.segmentSize) ?? segmentStart
      // Where replay ends when this segment's file is missing or refused as a whole: after the
      // last record that ends before it (or at a record that could not be read whole).
      let beforeThisFile = unfinishedRecord ?? Self.end(before: segmentStart, previous: previous, lastRecord: lastRecord)
      guard let file = step.file else {
        let run = GapReport.MissingRange(step, geometry: geometry)
        missing.append(run)
        record(step, .missing)
        block(WALProblem(.missingSegment, run.count == 1
                ? "segment \(step.name) is in no source: a standby cannot restore it"
                : "segments \(run.first) to \(run.last) are in no source (\(run.count) segments, \(WALGeometry.formatSize(run.bytes))): a standby cannot restore them"
                  + (run.count > Self.absurdGap ? "; a gap this wide means the name of the file after it is stray or wrong" : ""),
                         at: WALLocation(segment: step.name, lsn: segmentStart)),
              at: beforeThisFile)
        previous = nil
        lastRecord = nil
        continue
      }
      if let refusal = file.catalogEntry?.refusal {
        record(step, .damaged)
        block(refusal, at: beforeThisFile)
        previous = nil
        lastRecord = nil
        continue
      }
      guard let scans, let scan = scans[index] else {
        record(step, .present)
        endOfWAL = segmentEnd
        if blocking == nil { reachable = segmentEnd }
        stopAtSwitchInside(step, at: index, segmentStart: segmentStart, segmentEnd: segmentEnd)
        continue
      }
      let isLive = catalog.source(step.source)?.isLive ?? false
      var found = scan.problems
      var stopsAt: LSN?
      // Refused as a whole: a file cut short or holding a segment of another size (PostgreSQL
      // checks a restored file's size) or of another database system (its first page), compressed
      // content under a plain segment name (a copy hands it over as it is), a file its backup
      // tool withholds.
      let withheld = SegmentLookup.catalogRefusal(of: file, scan: scan)
      let wrongSize = Self.sizeProblem(scan, file: file, name: step.name, geometry: geometry, at: segmentStart)
      let foreign = foreignSystem(scan, file: file, name: step.name, at: segmentStart)
      let refused = wrongSize != nil || foreign != nil || scan.stopProblem?.kind.makesFileUnreadable == true
        || (!isLive && scan.problems.contains { $0.kind == .truncatedFile })
        || file.hidesCompression(scan.compression) || withheld != nil

      // A file of another size or system is not read by PostgreSQL: what reading its WAL found
      // is not reported, only what it is and how it is stored.
      let isOther = wrongSize != nil || foreign != nil
      if isOther {
        found = [wrongSize, foreign].compactMap { $0 } + found.filter(\.kind.isAboutStorage)
      } else if let previous, let join = SegmentJoin.problem(joining: previous, to: scan, lastRecord: lastRecord, geometry: geometry,
                                                       file: file.path, name: step.name) {
        found.append(join)
        stopsAt = stopsAt ?? scan.firstRecord ?? segmentStart
      }
      if let stop = scan.stopProblem, !isOther {
        let isLast = index == pastLiveEnd - 1
        if scan.endOfWALSignature != nil && isLast && EndOfWAL.mayEndInside(isPartial: file.isPartial, isLive: isLive) {
          // The live end of WAL: nothing is wrong.
        } else if scan.endOfWALSignature != nil && isLast {
          problems.append(EndOfWAL.problem(scan, stop: stop, because: EndOfWAL.archivedSegmentIsWhole))
        } else {
          found.append(EndOfWAL.problem(scan, stop: stop))
          let validThrough = scan.validThrough ?? segmentStart
          stopsAt = stopsAt ?? (validThrough <= segmentStart ? beforeThisFile : validThrough)
        }
      }

      let stepEnd: LSN
      switch scan.ending {
      case .switched: stepEnd = segmentEnd
      case .complete(let next): stepEnd = next
      case .continuesBeyond(let recordStart): stepEnd = recordStart
      case .stopped(let at): stepEnd = at
      }
      if case .continuesBeyond(let recordStart) = scan.ending, !refused { unfinishedRecord = unfinishedRecord ?? recordStart }
      let reachedEnd = min(stepEnd, unfinishedRecord ?? stepEnd)
      let damaged = refused || !found.allSatisfy(\.kind.isAboutStorage)
      record(step, damaged ? .damaged : .ok, scan: scan)
      if refused {
        let reason = withheld ?? found.first ?? scan.stopProblem ?? WALProblem(.unreadableFile, "cannot be restored", at: WALLocation(file: file.path))
        problems += found
        block(reason, at: beforeThisFile)
      } else if let stopsAt {
        problems += found
        block(found[0], at: min(stopsAt, unfinishedRecord ?? stopsAt))
      } else {
        problems += found
        if blocking == nil { reachable = max(reachable, reachedEnd) }
      }
      let walEnd = blocking == nil ? reachedEnd : stepEnd
      if blocking == nil || endOfWAL == nil || !refused { endOfWAL = max(endOfWAL ?? walEnd, walEnd) }
      previous = refused ? nil : scan
      lastRecord = scan.lastRecordForNext(after: lastRecord)
      if !refused { stopAtSwitchInside(step, at: index, segmentStart: segmentStart, segmentEnd: segmentEnd) }
    }
  }

  /// A file of another database system than the cluster's: PostgreSQL refuses it at its first
  /// page ("WAL file is from different database system"), before any record in it.
  private func foreignSystem(_ scan: SegmentScan, file: WALFile, name: SegmentName, at segmentStart: LSN) -> WALProblem? {
    guard let id = scan.systemIdentifier, let cluster, id != cluster.systemIdentifier else { return nil }
    return WALProblem(.systemIDMismatch,
      "WAL file is from different database system: system identifier \(id), the cluster's is \(cluster.systemIdentifier) (\(cluster.evidence))",
      at: WALLocation(file: file.path, segment: name, fileOffset: UInt64(PageHeader.Layout.systemIdentifier), lsn: segmentStart))
  }

  /// A file of an older timeline standing for a segment in which a newer timeline of the path
  /// begins (the newer one's copy is in no source): its WAL past the switch point is the older
  /// timeline's own, so replay, which reads the newer timeline's file from there, stops at it.
  /// With no later file on the path, that is where its WAL ends; with one, the newer
  /// timeline's copy is missing.
  private mutating func stopAtSwitchInside(_ step: RecoveryStep, at index: Int, segmentStart: LSN, segmentEnd: LSN) {
    guard let position = path.spans.firstIndex(where: { $0.timeline == step.name.timeline }), position + 1 < path.spans.count,
      let switchPoint = path.spans[position].end, switchPoint < segmentEnd
    else { return }
    let stop = max(switchPoint, segmentStart)
    guard path.steps[(index + 1)...].contains(where: { $0.file != nil }) else {
      if blocking == nil { reachable = min(reachable, stop) }
      endOfWAL = endOfWAL.map { min($0, stop) }
      return
    }
    let child = path.spans[position + 1].timeline
    let childName = SegmentName(timeline: child, segment: step.segment, geometry: geometry) ?? step.name
    block(WALProblem(.missingSegment,
      "segment \(childName) is in no source: timeline \(child) begins at \(switchPoint) in it, and replay reads that file from there on; \(step.name) holds timeline \(step.name.timeline)'s own WAL past the switch point, so a standby waits at \(switchPoint)",
      at: WALLocation(segment: childName, lsn: switchPoint)), at: min(reachable, stop))
  }

  /// The first of the path's last steps that lie past the end of WAL of a live `pg_wal`:
  /// files PostgreSQL recycled or pre-allocated there, which hold no WAL of their segment (their
  /// first page is older or zeros). `nil` when there are none, or when the path starts with one.
  private func firstStepPastLiveEnd() -> Int? {
    guard let scans else { return nil }
    var first: Int?
    for index in path.steps.indices.reversed() {
      let step = path.steps[index]
      guard step.file != nil, catalog.source(step.source)?.isLive == true, let scan = scans[index],
        !scan.holdsOwnWAL, scan.stopProblem != nil,
        scan.endOfWALSignature == .stalePage || scan.endOfWALSignature == .zeros
      else { break }
      first = index
    }
    return first == 0 ? nil : first
  }

  /// A file holding a segment of another size than the WAL's: PostgreSQL checks a restored
  /// file's size, and stops recovery with FATAL on a larger one (a smaller one it takes for a
  /// copy still in progress, and waits).
  static func sizeProblem(_ scan: SegmentScan, file: WALFile, name: SegmentName, geometry: WALGeometry, at start: LSN) -> WALProblem? {
    guard let found = scan.geometry, found.segmentSize != geometry.segmentSize else { return nil }
    let consequence = found.segmentSize > geometry.segmentSize
      ? "PostgreSQL stops recovery there with FATAL: archive file \"\(name)\" has wrong size: \(found.segmentSize) instead of \(geometry.segmentSize)"
      : "a standby takes it for a copy still in progress and waits for the whole segment"
    return WALProblem(.segmentSizeMismatch,
      "the file holds a \(WALGeometry.formatSize(found.segmentSize)) segment, the WAL's segments are \(WALGeometry.formatSize(geometry.segmentSize)): \(consequence)",
      at: WALLocation(file: file.path, segment: name, fileOffset: UInt64(PageHeader.Layout.segmentSize), lsn: start))
  }

  /// Missing segments in a row beyond which the gap is more than WAL going missing: 2^20
  /// segments are a terabyte even of 1 MB segments.
  static let absurdGap: UInt64 = 1 << 20

  private mutating func block(_ problem: WALProblem, at lsn: LSN) {
    if !problems.contains(problem) { problems.append(problem) }
    guard blocking == nil else { return }
    blocking = problem
    reachable = max(start, lsn)
  }

  /// Where replay stops when the segment starting at `segmentStart` cannot be read: after
  /// the last record that ends before it. `lastRecord` is the last record read so far, which
  /// is the one that crossed into the unreadable segment when the previous one ends past it.
  static func end(before segmentStart: LSN, previous: SegmentScan?, lastRecord: LSN?) -> LSN {
    guard let previous else { return segmentStart }
    switch previous.ending {
    case .switched: return segmentStart
    case .complete(let next): return next > segmentStart ? (lastRecord ?? segmentStart) : next
    case .continuesBeyond(let recordStart): return recordStart
    case .stopped(let at): return at
    }
  }
}
