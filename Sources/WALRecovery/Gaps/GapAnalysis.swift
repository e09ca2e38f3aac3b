import WALCore
import WALIO
import WALReader
import WALDescriptions

/// Answers whether a standby (or a point-in-time restore) starting at a given point can replay
/// the WAL in some sources up to a target, following the timeline history as PostgreSQL's
/// recovery does, and how far it would get.
public struct GapAnalysis: Sendable {
  /// Which timeline recovery should follow (`recovery_target_timeline`).
  public enum TimelineChoice: Sendable, Equatable {
    /// The newest timeline whose history files recovery can find (the default).
    case latest
    case timeline(TimelineID)
  }

  /// Where replay starts.
  public enum StartPoint: Sendable {
    /// From the start of the first segment of the lowest timeline.
    case firstSegment
    case lsn(LSN, timeline: TimelineID)
    case segment(SegmentName)
    /// From a backup label: its start location and timeline, and its end when known.
    case backup(BackupLabel, origin: String)
    /// Where the server in a data directory would start replaying (its `backup_label`, else
    /// its `pg_control`).
    case dataDirectory(DataDirectory)
  }

  public var sources: [String]
  public var start: StartPoint
  public var targetLSN: LSN?
  public var timeline: TimelineChoice
  /// Verify every segment on the path (headers, CRCs, continuity); `false` looks at names only.
  public var checksContent: Bool
  /// Files read at once; 0 means one per processor.
  public var jobs: Int
  /// How the sources' directories are read; `nil` detects each one's layout.
  public var layout: RepositoryLayout?
  /// A primary's data directory: its `pg_wal` is read as the last source, and the answer says
  /// whether the standby can stream from it (``GapReport/catchUp``).
  public var primary: String?
  /// A recovery target (`recovery_target_*`), and whether it is inclusive (the default).
  public var recoveryTarget: RecoveryTarget?
  public var inclusive: Bool

  public init(sources: [String], start: StartPoint = .firstSegment, targetLSN: LSN? = nil,
              timeline: TimelineChoice = .latest, checksContent: Bool = true, jobs: Int = 0,
              layout: RepositoryLayout? = nil, primary: String? = nil, recoveryTarget: RecoveryTarget? = nil,
              inclusive: Bool = true)
  {
    self.recoveryTarget = recoveryTarget
    self.inclusive = inclusive
    self.layout = layout
    self.primary = primary
    self.sources = sources
    self.start = start
    self.targetLSN = targetLSN
    self.timeline = timeline
    self.checksContent = checksContent
    self.jobs = jobs
  }

  /// Why the analysis cannot be made at all.
  public struct Failure: Error, Sendable, CustomStringConvertible {
    public var description: String
    /// The question itself is wrong (a target before the start), not the input.
    public var isUsageError = false
  }

  /// Lists the sources, computes the path and checks it.
  ///
  /// - Throws: ``Failure`` when a source cannot be listed or holds no segment to start from.
  public func run() throws(Failure) -> GapReport {
    let catalog: WALCatalog
    // A server in recovery looks in the archive, then in its own pg_wal, and streams where
    // that ends early: for a segment both have, the primary's copy is the one replay completes.
    let ownWAL = startingDirectoryWAL
    let primaryWAL = primary.map { FilePaths.join($0, "pg_wal") }
    do { catalog = try WALCatalog(sources: sources + [primaryWAL, ownWAL].compactMap { $0 }, layout: layout) } catch {
      throw Failure(description: error.description)
    }
    guard let geometry = startGeometry() ?? catalog.geometry(preferring: startSegmentName) else {
      throw Failure(description: catalog.segments.isEmpty && catalog.partials.isEmpty
                      ? WALInputs.nothingToRead(in: sources) : "no readable WAL segment in \(sources.joined(separator: ", "))")
    }
    var problems = catalog.problems
    let start = try resolveStart(catalog: catalog, geometry: geometry)
    if recoveryTarget != nil, case .backup(let label, let origin) = self.start, label.isFromStandby, start.backupEnd == nil {
      throw Failure(description: "\(origin) says BACKUP FROM: standby: such a backup is consistent at the minRecoveryPoint "
                      + "of the pg_control copied with it, which the label does not give; name the backup's data directory",
                    isUsageError: true)
    }
    if let targetLSN, targetLSN < max(start.lsn, start.backupEnd ?? start.lsn) {
      let point = start.backupEnd.map { $0 > start.lsn ? "the end of the backup at \($0)" : nil } ?? nil
      throw Failure(description: "requested recovery stop point \(targetLSN) is before "
                      + (point ?? "the start point \(start.lsn)") + ": PostgreSQL refuses such a target",
                    isUsageError: true)
    }

    // Timelines: what PostgreSQL would follow, and the newest the WAL shows.
    let known = Set(catalog.segmentTimelines).union(catalog.histories.keys).union(catalog.historyFiles.keys)
    let newest = known.max() ?? start.timeline
    var target: TimelineID
    var blocking: WALProblem?
    switch timeline {
    case .latest:
      target = start.timeline
      while let next = target.rawValue < UInt32.max ? TimelineID(target.rawValue + 1) : nil, catalog.histories[next] != nil {
        target = next
      }
    case .timeline(let requested):
      target = requested
      if requested > TimelineID(1) && catalog.histories[requested] == nil {
        blocking = WALProblem(.missingHistory,
          "recovery target timeline \(requested) does not exist: \(requested.historyFileName) is missing",
          at: WALLocation(segment: nil, lsn: start.lsn))
        target = start.timeline
      }
    }
    var spans = catalog.histories[target]?.spans ?? [TimelineHistory.Span(timeline: target, begin: .invalid, end: nil)]
    if target != start.timeline, let mismatch = historyMismatch(target: target, history: catalog.histories[target], start: start) {
      blocking = blocking ?? mismatch
      target = start.timeline
      spans = [TimelineHistory.Span(timeline: target, begin: .invalid, end: nil)]
    }
    problems += historyProblems(catalog: catalog, target: target, spans: spans, newest: newest, geometry: geometry,
                                choice: timeline, blocking: &blocking)

    // The path, from the start segment to the target or the last segment on the way.
    let firstSegment = geometry.segment(containing: start.lsn)
    let lastSegment: SegmentNumber
    if let targetLSN, recoveryTarget == nil {
      lastSegment = geometry.segment(containing: LSN(max(targetLSN.rawValue, start.lsn.rawValue + 1) - 1))
    } else {
      let lastPresent = Self.lastSegment(on: spans, catalog: catalog, geometry: geometry) ?? firstSegment
      // Replay must reach the backup's end to be consistent: the segments up to it are needed.
      if let end = start.backupEnd, end > start.lsn {
        lastSegment = max(lastPresent, geometry.segment(containing: LSN(end.rawValue - 1)))
      } else {
        lastSegment = lastPresent
      }
    }
    let path = RecoveryPath.build(spans: spans, from: firstSegment, through: max(firstSegment, lastSegment),
                                  geometry: geometry, catalog: catalog)
    let scans = checksContent ? scanPath(path, start: start.lsn, geometry: geometry) : nil
    var walk = PathWalk(path: path, scans: scans, catalog: catalog, geometry: geometry, start: start.lsn,
                        cluster: clusterIdentity(scans: scans))
    walk.run()
    problems += walk.problems.filter { !problems.contains($0) }
    var reachable = walk.reachable
    var stop: RecoveryStop?
    if let recoveryTarget {
      let search = TargetSearch(target: recoveryTarget, inclusive: inclusive, start: start,
                                backupStartToAwait: backupStartToAwait(start))
      stop = search.stop(on: walk.steps, before: walk.blocking == nil ? LSN(.max) : walk.reachable)
    }
    if let stop, blocking == nil {
      // Replay ends at the target: what lies past it does not stop it.
      reachable = stop.replayedThrough
      if !stop.consistent {
        blocking = WALProblem(.targetBeforeConsistency,
          "\(stop.message): requested recovery stop point is before consistent recovery point"
            + (start.backupEnd.map { " \($0)" } ?? " (the end-of-backup record)"),
          at: WALLocation(lsn: stop.lsn))
      }
    } else {
      if blocking == nil { blocking = walk.blocking }
      if blocking == nil, let recoveryTarget {
        blocking = WALProblem(.targetNotReached,
          "recovery ended before configured recovery target \(Self.describe(recoveryTarget)) was reached: "
            + "the WAL on the path ends at \(reachable) without it", at: WALLocation(lsn: reachable))
      }
    }
    if blocking == nil, recoveryTarget == nil, let targetLSN, reachable < targetLSN {
      blocking = WALProblem(.incompleteSegment,
        "WAL on the path ends at \(reachable), before the target \(targetLSN)", at: WALLocation(lsn: reachable))
    }
    if blocking == nil, let end = start.backupEnd, reachable < end {
      blocking = WALProblem(.consistencyNotReached,
        "WAL ends at \(reachable), before the consistent recovery point \(end) (the end of the backup, or the standby's "
          + "minimum recovery point): PostgreSQL never becomes consistent (\"WAL ends before end of online backup\")",
        at: WALLocation(lsn: reachable))
    }
    if let stop = blocking, !problems.contains(stop) { problems.insert(stop, at: 0) }

    var report = GapReport(
      start: start, targetTimeline: target, newestTimeline: max(newest, target), targetLSN: targetLSN,
      endOfWAL: walk.endOfWAL, reachableLSN: reachable, continuous: blocking == nil, blockingProblem: blocking,
      problems: problems, missingRanges: walk.missing,
      path: walk.steps,
      sources: catalog.sources, checkedContent: checksContent)
    report.recoveryTarget = recoveryTarget.map { ($0, inclusive) }
    report.recoveryStop = stop
    if let primary, let primaryWAL {
      report.catchUp = CatchUp(report: report, primary: primary, primaryWAL: primaryWAL, ownWAL: ownWAL, geometry: geometry)
    }
    return report
  }

  /// Why the target timeline's history does not lead through the start, as PostgreSQL's
  /// InitWalRecovery refuses it: the checkpoint replay starts from (backup_label's, else
  /// pg_control's) must lie on the start timeline in that history, before its switch point, and
  /// so must a data directory's minimum recovery point. Either failing means the server went on
  /// past the fork (pg_rewind is the way back).
  private func historyMismatch(target: TimelineID, history: TimelineHistory?, start: GapReport.Start) -> WALProblem? {
    guard let history else {
      return WALProblem(.timelineMismatch,
        "requested timeline \(target) is not a child of this server's history: \(target.historyFileName) is missing",
        at: WALLocation(lsn: start.lsn))
    }
    let (checkpoint, file) = startCheckpoint(start)
    if history.timeline(at: checkpoint) != start.timeline {
      let fork = history.switchPoint(after: start.timeline).map { "the server forked off from that timeline at \($0)" }
        ?? "timeline \(start.timeline) is not in it"
      return WALProblem(.timelineMismatch,
        "requested timeline \(target) is not a child of this server's history: \(file) on timeline \(start.timeline)"
          + ", but in the history of the requested timeline, \(fork)",
        at: WALLocation(lsn: checkpoint))
    }
    if case .dataDirectory(let directory) = self.start, directory.control.minRecoveryPoint != .invalid {
      let point = directory.control.minRecoveryPoint
      let pointTimeline = directory.control.minRecoveryPointTimeline
      if history.timeline(at: LSN(point.rawValue - 1)) != pointTimeline {
        return WALProblem(.timelineMismatch,
          "requested timeline \(target) does not contain minimum recovery point \(point) on timeline \(pointTimeline)",
          at: WALLocation(lsn: point))
      }
    }
    return nil
  }

  /// The checkpoint record replay begins with, and where it comes from in words.
  private func startCheckpoint(_ resolved: GapReport.Start) -> (LSN, String) {
    func fromLabel(_ label: BackupLabel) -> (LSN, String) {
      let checkpoint = label.checkpointLSN ?? resolved.lsn
      return (checkpoint, "latest checkpoint in backup_label is at \(checkpoint)")
    }
    switch start {
    case .backup(let label, _): return fromLabel(label)
    case .dataDirectory(let directory):
      if let label = directory.backupLabel { return fromLabel(label) }
      return (directory.control.checkpoint, "latest checkpoint in pg_control is at \(directory.control.checkpoint)")
    case .firstSegment, .lsn, .segment: return (resolved.lsn, "the start point is \(resolved.lsn)")
    }
  }

  /// The start of the base backup whose end-of-backup record replay must reach before it is
  /// consistent: a backup label's, or that of a backup a standby was restored from and has not
  /// finished (`backupStartPoint` in its pg_control); `nil` when there is none, or when the
  /// backup was taken from a standby, which writes no such record (its end is a point instead:
  /// the `backupEndPoint` of pg_control, ``GapReport/Start/backupEnd``).
  private func backupStartToAwait(_ resolved: GapReport.Start) -> LSN? {
    switch start {
    case .backup(let label, _): return label.isFromStandby ? nil : label.startLSN
    case .dataDirectory(let directory):
      if let label = directory.backupLabel { return label.isFromStandby ? nil : label.startLSN }
      let control = directory.control
      return control.backupStart != .invalid && control.backupEnd == .invalid ? control.backupStart : nil
    default: return nil
    }
  }

  /// A target as PostgreSQL's messages name it.
  public static func describe(_ target: RecoveryTarget) -> String {
    switch target {
    case .lsn(let lsn): "recovery_target_lsn \(lsn)"
    case .time(let time): "recovery_target_time \(RecoveryTarget.serverTime(time))"
    case .xid(let xid): "recovery_target_xid \(xid)"
    case .name(let name): "recovery_target_name \"\(name)\""
    case .immediate: "recovery_target immediate"
    }
  }

  /// The `pg_wal` of the data directory replay starts from, when it has one.
  private var startingDirectoryWAL: String? {
    guard case .dataDirectory(let directory) = start else { return nil }
    let wal = FilePaths.join(directory.path, "pg_wal")
    return Syscalls.isDirectory(wal) ? wal : nil
  }

  // MARK: Cluster

  /// The cluster the path's WAL must come from: the base backup's `global/pg_control` when the
  /// start is a backup directory's label, else the system identifier most segments on the
  /// path agree on (never the first segment's alone).
  private func clusterIdentity(scans: [SegmentScan?]?) -> PathWalk.Cluster? {
    switch start {
    case .backup(_, let origin):
      let directory = FilePaths.parent(origin)
      if let control = try? ControlFile.read(dataDirectory: directory) {
        return PathWalk.Cluster(systemIdentifier: control.systemIdentifier, evidence: FilePaths.join(directory, "global/pg_control"))
      }
    case .dataDirectory(let directory):
      return PathWalk.Cluster(systemIdentifier: directory.control.systemIdentifier,
                              evidence: FilePaths.join(directory.path, "global/pg_control"))
    default: break
    }
    let identifiers = (scans ?? []).compactMap { $0?.systemIdentifier }
    guard let majority = mostCommon(identifiers) else { return nil }
    let agreeing = identifiers.count { $0 == majority }
    return PathWalk.Cluster(systemIdentifier: majority, evidence: "\(agreeing) of the \(identifiers.count) segments read on the path")
  }

  // MARK: Start

  /// The segment size a data directory's pg_control gives, the authority for its WAL.
  private func startGeometry() -> WALGeometry? {
    guard case .dataDirectory(let directory) = start else { return nil }
    return WALGeometry(segmentSize: UInt64(directory.control.walSegmentSize), pageSize: UInt64(directory.control.walBlockSize))
  }

  /// The segment a start point names: a backup label's start file, or a segment named.
  private var startSegmentName: SegmentName? {
    switch start {
    case .segment(let name): name
    case .backup(let label, _): label.startSegment
    case .dataDirectory(let directory): directory.backupLabel?.startSegment
    case .firstSegment, .lsn: nil
    }
  }

  private func resolveStart(catalog: WALCatalog, geometry: WALGeometry) throws(Failure) -> GapReport.Start {
    switch start {
    case .firstSegment:
      guard let first = catalog.segments.keys.min(), let segment = first.segment(in: geometry),
        let lsn = geometry.startLSN(of: segment)
      else { throw Failure(description: "no WAL segment to start from") }
      return GapReport.Start(lsn: lsn, timeline: first.timeline, origin: "first segment \(first)", backupEnd: nil)
    case .lsn(let lsn, let timeline):
      return GapReport.Start(lsn: lsn, timeline: timeline, origin: "LSN \(lsn)",
                             backupEnd: backupEnd(startingAt: lsn, timeline: timeline, catalog: catalog, geometry: geometry))
    case .segment(let name):
      guard let segment = name.segment(in: geometry), let lsn = geometry.startLSN(of: segment) else {
        throw Failure(description: "\(name) is not a segment name for \(WALGeometry.formatSize(geometry.segmentSize)) segments")
      }
      return GapReport.Start(lsn: lsn, timeline: name.timeline, origin: "segment \(name)", backupEnd: nil)
    case .dataDirectory(let directory):
      if let label = directory.backupLabel {
        let origin = FilePaths.join(directory.path, "backup_label")
        // A standby's backup ends at the minRecoveryPoint of the pg_control copied with it
        // (InitWalRecovery's backupEndPoint).
        let standbyEnd = label.isFromStandby && directory.control.minRecoveryPoint != .invalid ? directory.control.minRecoveryPoint : nil
        return GapReport.Start(
          lsn: label.startLSN, timeline: label.startTimeline, origin: origin,
          backupEnd: standbyEnd ?? label.stopLSN
            ?? backupEnd(startingAt: label.startLSN, timeline: label.startTimeline, catalog: catalog, geometry: geometry),
          dataDirectory: directory)
      }
      return GapReport.Start(lsn: directory.start, timeline: directory.timeline,
                             origin: "\(directory.path), a \(directory.kind.rawValue)", backupEnd: directory.consistentAt,
                             dataDirectory: directory)
    case .backup(let label, let origin):
      return GapReport.Start(
        lsn: label.startLSN, timeline: label.startTimeline, origin: origin,
        backupEnd: label.stopLSN
          ?? backupEnd(startingAt: label.startLSN, timeline: label.startTimeline, catalog: catalog, geometry: geometry))
    }
  }

  /// The stop location from the `.backup` file of a backup that started at `lsn`, if one is
  /// among the sources.
  private func backupEnd(startingAt lsn: LSN, timeline: TimelineID, catalog: WALCatalog, geometry: WALGeometry) -> LSN? {
    guard let name = SegmentName(timeline: timeline, segment: geometry.segment(containing: lsn), geometry: geometry)
    else { return nil }
    let fileName = "\(name).\(Hex.digits(UInt32(truncatingIfNeeded: geometry.segmentOffset(of: lsn)), width: 8)).backup"
    guard let file = catalog.backupFiles[fileName], let label = try? WALCatalog.backupLabel(at: file.path, named: file.compression)
    else { return nil }
    return label.stopLSN
  }

  // MARK: Timelines

  /// Missing history files, timelines off the target's ancestry, and history that the
  /// segments contradict.
  private func historyProblems(catalog: WALCatalog, target: TimelineID, spans: [TimelineHistory.Span],
                               newest: TimelineID, geometry: WALGeometry, choice: TimelineChoice,
                               blocking: inout WALProblem?) -> [WALProblem]
  {
    var problems: [WALProblem] = []
    let ancestry = Set(spans.map(\.timeline))
    var segmentsByTimeline: [TimelineID: [SegmentNumber]] = [:]
    for name in catalog.segments.keys {
      if let segment = name.segment(in: geometry) { segmentsByTimeline[name.timeline, default: []].append(segment) }
    }
    for timeline in segmentsByTimeline.keys.sorted() where timeline > TimelineID(1) && catalog.historyFiles[timeline] == nil {
      let count = segmentsByTimeline[timeline]!.count
      let problem = WALProblem(.missingHistory,
        "timeline \(timeline) has \(count) segment\(count == 1 ? "" : "s") but \(timeline.historyFileName) is missing: recovery cannot follow it",
        at: WALLocation(file: Self.historyPath(timeline, catalog: catalog)))
      problems.append(problem)
      if choice == .latest, timeline > target, blocking == nil {
        var first = problem
        first.message += "; a standby following the latest timeline stays on timeline \(target)"
        blocking = first
        problems[problems.count - 1] = first
      }
    }
    if choice == .latest, blocking == nil, newest > target {
      let missing = TimelineID(target.rawValue + 1)
      blocking = WALProblem(.missingHistory,
        "\(missing.historyFileName) is missing, so a standby following the latest timeline stays on timeline \(target); WAL or history of timeline \(newest) exists",
        at: WALLocation(file: Self.historyPath(missing, catalog: catalog)))
      problems.append(blocking!)
    }
    // Timelines newer than the target are the missing-history case above; older ones off the
    // target's ancestry are other branches.
    for timeline in Set(segmentsByTimeline.keys).union(catalog.histories.keys).sorted()
    where !ancestry.contains(timeline) && timeline < target {
      let count = segmentsByTimeline[timeline]?.count ?? 0
      problems.append(WALProblem(.orphanTimeline,
        "timeline \(timeline) (\(count) segment\(count == 1 ? "" : "s")) is not in the history of timeline \(target): another branch of history, not on the restore path",
        at: WALLocation()))
    }
    for span in spans {
      let segments = segmentsByTimeline[span.timeline] ?? []
      let beginSegment = geometry.segment(containing: span.begin)
      if let end = span.end {
        let endSegment = geometry.segment(containing: end)
        // A segment starting at the switch point lies wholly past it too.
        let atStart = geometry.segmentOffset(of: end) == 0
        let past = segments.filter { $0 > endSegment || (atStart && $0 == endSegment) }.sorted()
        if let first = past.first, let last = past.last {
          problems.append(WALProblem(.orphanTimeline,
            "timeline \(span.timeline) has \(past.count) segment\(past.count == 1 ? "" : "s") past its switch point \(end) (\(Self.name(span.timeline, first, geometry)) to \(Self.name(span.timeline, last, geometry))): the old primary's WAL past the switch point (written after the promotion, or before it without the standby replaying it), not on the restore path",
            at: WALLocation(segment: SegmentName(timeline: span.timeline, segment: first, geometry: geometry))))
        }
      }
      let early = segments.filter { $0 < beginSegment }.sorted()
      if let first = early.first, span.begin != .invalid {
        problems.append(WALProblem(.timelineMismatch,
          "timeline \(span.timeline) has \(early.count) segment\(early.count == 1 ? "" : "s") before it began at \(span.begin) per \(target.historyFileName), from \(Self.name(span.timeline, first, geometry)): history and segments disagree",
          at: WALLocation(segment: SegmentName(timeline: span.timeline, segment: first, geometry: geometry))))
      }
    }
    return problems
  }

  /// Where the history file of `timeline` belongs: beside that timeline's first segment, else
  /// in the first source.
  static func historyPath(_ timeline: TimelineID, catalog: WALCatalog) -> String {
    let first = catalog.segments.filter { $0.key.timeline == timeline }.min { $0.key < $1.key }
    let directory = first.map { entry in
      entry.value.file.path.contains("/") ? FilePaths.historyDirectory(ofSegmentAt: entry.value.file.path) : ""
    } ?? catalog.sources.first?.path ?? "."
    return (directory.isEmpty ? "" : directory + "/") + timeline.historyFileName
  }

  static func name(_ timeline: TimelineID, _ segment: SegmentNumber, _ geometry: WALGeometry) -> String {
    SegmentName(timeline: timeline, segment: segment, geometry: geometry)?.description ?? "?"
  }

  /// The last segment any timeline of the path has a file for, within that timeline's span.
  static func lastSegment(on spans: [TimelineHistory.Span], catalog: WALCatalog, geometry: WALGeometry) -> SegmentNumber? {
    var last: SegmentNumber?
    for name in catalog.segments.keys {
      guard let span = spans.first(where: { $0.timeline == name.timeline }), let segment = name.segment(in: geometry),
        segment >= geometry.segment(containing: span.begin),
        span.end.map({ segment <= geometry.segment(containing: $0) }) ?? true
      else { continue }
      last = max(last ?? segment, segment)
    }
    return last
  }

  // MARK: Content

  /// Verifies every present file of the path, in parallel; a record that continues into the
  /// next segment is followed into the file the path takes next.
  private func scanPath(_ path: RecoveryPath, start: LSN, geometry: WALGeometry) -> [SegmentScan?] {
    let steps = path.steps
    var indexBySegment: [SegmentNumber: Int] = [:]
    for (index, step) in steps.enumerated() where step.file != nil { indexBySegment[step.segment] = index }
    let lookup = indexBySegment
    return parallelMap(count: steps.count, workers: jobs, context: { SegmentScanner() }) { index, scanner in
      guard let file = steps[index].file else { return nil }
      return SegmentLookup.scan(file, with: scanner, following: { name throws(WALProblem) in
        guard let segment = name.segment(in: geometry), let other = lookup[segment], let otherFile = steps[other].file
        else { return nil }
        return try SegmentData.loadFollowing(path: otherFile.path, named: otherFile.compressionByName)
      }, from: index == 0 ? start : nil)
    }
  }
}
