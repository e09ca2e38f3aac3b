import WALCore
import WALIO

/// Judges segments as a set: the cluster they belong to, gaps and continuity along each
/// timeline, and whether each place where valid WAL stops is a legitimate end or damage.
struct SetAssessment {
  let files: [WALFile]
  /// The timeline history files among the inputs, and their paths.
  let histories: [TimelineID: TimelineHistory]
  let historyFiles: [TimelineID: String]
  private(set) var reports: [SegmentReport]
  /// Problems not tied to one file's WAL (missing segments and histories, history broken off),
  /// keyed by the report they precede.
  private var gapProblems: [(before: Int, problem: WALProblem)] = []
  /// The system identifier most segments have: the cluster's.
  private var clusterIdentifier: UInt64?
  /// Reports of segments whose long header gives another segment size than most: not part of
  /// this set's WAL, and read in another LSN scale.
  private var ofAnotherSize: Set<Int> = []

  /// Whether a timeline after the first without its history file is a problem.
  let checksMissingHistories: Bool

  /// Segments of a live `pg_wal` listed but gone when read (the server removed or recycled
  /// them, ``WALProblem/Kind/removedWhileRead``): no gap where only they are missing.
  let removedWhileRead: Set<SegmentName>

  /// - Parameter reports: one per file, in order, each as its scan left it
  ///   (``SegmentReport/init(file:scan:)``).
  init(files: [WALFile], reports: [SegmentReport], histories: [TimelineID: TimelineHistory] = [:],
       historyFiles: [TimelineID: String] = [:], checksMissingHistories: Bool = true, removedWhileRead: Set<SegmentName> = []) {
    self.checksMissingHistories = checksMissingHistories
    self.removedWhileRead = removedWhileRead
    self.files = files
    self.reports = reports
    self.histories = histories
    self.historyFiles = historyFiles
  }

  mutating func run() {
    checkCluster()
    let geometry = mostCommon(reports.compactMap(\.scan.geometry)) ?? .standard
    let chains = timelineChains(geometry: geometry)
    var segmentsWithWAL: [TimelineID: [SegmentNumber]] = [:]
    var validEndBefore: [Int: LSN] = [:]
    for (timeline, chain) in chains {
      segmentsWithWAL[timeline] = chain.filter { reports[$0.1].scan.holdsOwnWAL && !ofAnotherSize.contains($0.1) }.map(\.0)
      for position in chain.indices.dropFirst() where chain[position].0.rawValue == chain[position - 1].0.rawValue + 1 {
        let previous = reports[chain[position - 1].1].scan
        guard let through = previous.validThrough else { continue }
        switch previous.ending {
        case .continuesBeyond: validEndBefore[chain[position].1] = through
        case .stopped where previous.stopProblem.map({ $0.location.segment != nil && $0.location.segment != previous.name }) ?? false:
          validEndBefore[chain[position].1] = through
        default: break
        }
      }
      checkContinuity(chain, geometry: geometry)
      checkHistory(of: timeline, chain: chain)
    }
    for index in reports.indices {
      var later: SegmentName?
      if let name = reports[index].name, let segment = name.segment(in: geometry),
        let next = Self.first(after: segment, in: segmentsWithWAL[name.timeline] ?? [])
      {
        later = SegmentName(timeline: name.timeline, segment: next, geometry: geometry)
      }
      judgeEnding(index, laterWALIn: later, validEndBefore: validEndBefore[index], geometry: geometry)
    }
  }

  /// The first of `sorted` after `segment`.
  private static func first(after segment: SegmentNumber, in sorted: [SegmentNumber]) -> SegmentNumber? {
    var low = 0, high = sorted.count
    while low < high {
      let middle = (low + high) / 2
      if sorted[middle] <= segment { low = middle + 1 } else { high = middle }
    }
    return low < sorted.count ? sorted[low] : nil
  }

  /// Every problem in segment order, missing segments where they belong; a problem located in
  /// a segment but not at an LSN gets one (the segment's start, plus the offset when known).
  func orderedProblems() -> [WALProblem] {
    guard let geometry = mostCommon(reports.compactMap(\.scan.geometry)) else { return unlocatedOrderedProblems() }
    return unlocatedOrderedProblems().map { problem in
      guard problem.location.lsn == nil, let segment = problem.location.segment?.segment(in: geometry),
        let start = geometry.startLSN(of: segment)
      else { return problem }
      var located = problem
      located.location.lsn = start.advanced(by: min(problem.location.fileOffset ?? 0, geometry.segmentSize - 1))
      return located
    }
  }

  private func unlocatedOrderedProblems() -> [WALProblem] {
    var result: [WALProblem] = []
    var gaps = gapProblems.sorted { $0.before < $1.before }[...]
    for index in reports.indices {
      while let gap = gaps.first, gap.before <= index {
        result.append(gap.problem)
        gaps = gaps.dropFirst()
      }
      result.append(contentsOf: reports[index].problems)
    }
    result.append(contentsOf: gaps.map(\.problem))
    return result
  }

  // MARK: Cluster identity

  /// Segments from another cluster (system identifier) or with another segment size than the
  /// majority.
  private mutating func checkCluster() {
    guard let systemIdentifier = mostCommon(reports.compactMap(\.scan.systemIdentifier)) else { return }
    clusterIdentifier = systemIdentifier
    let agreeing = reports.count { $0.scan.systemIdentifier == systemIdentifier }
    for index in reports.indices {
      guard let found = reports[index].scan.systemIdentifier, found != systemIdentifier else { continue }
      let start = reports[index].scan.geometry.flatMap { geometry in reports[index].scan.segment.flatMap(geometry.startLSN(of:)) }
      reports[index].problems.append(WALProblem(.systemIDMismatch,
        "WAL file is from different database system: system identifier \(found), while \(agreeing) other segment\(agreeing == 1 ? " has" : "s have") \(systemIdentifier)",
        at: WALLocation(file: files[index].path, segment: reports[index].name, fileOffset: UInt64(PageHeader.Layout.systemIdentifier), lsn: start)))
    }
    guard let geometry = mostCommon(reports.compactMap(\.scan.geometry)) else { return }
    for index in reports.indices {
      guard let found = reports[index].scan.geometry, found != geometry else { continue }
      // What reading its WAL in its own geometry found is placed in another LSN scale: only its
      // identity and how it is stored are reported, at positions in this set's scale.
      ofAnotherSize.insert(index)
      let start = reports[index].name?.segment(in: geometry).flatMap(geometry.startLSN(of:))
      reports[index].problems = reports[index].problems.filter { $0.kind == .systemIDMismatch || $0.kind.isAboutStorage }.map { problem in
        var placed = problem
        placed.location.lsn = start
        return placed
      }
      reports[index].problems.append(WALProblem(.segmentSizeMismatch,
        "long header gives \(found), while the other segments have \(geometry): not a segment of this WAL",
        at: WALLocation(file: files[index].path, segment: reports[index].name, fileOffset: UInt64(PageHeader.Layout.segmentSize))))
      reports[index].scan.firstRecord = nil
      reports[index].scan.lastRecord = nil
      reports[index].scan.validThrough = nil
    }
  }

  // MARK: Timelines

  /// Per timeline, the files in segment order; a full segment is preferred to a `.partial`
  /// of the same name.
  private func timelineChains(geometry: WALGeometry) -> [(TimelineID, [(SegmentNumber, Int)])] {
    var chains: [TimelineID: [(SegmentNumber, Int)]] = [:]
    for (name, index) in files.indexByName() {
      guard let segment = name.segment(in: geometry) else { continue }
      chains[name.timeline, default: []].append((segment, index))
    }
    return chains.sorted { $0.key < $1.key }.map { ($0.key, $0.value.sorted { $0.0 < $1.0 }) }
  }

  private mutating func checkContinuity(_ chain: [(SegmentNumber, Int)], geometry: WALGeometry) {
    var lastRecord: LSN?
    for position in chain.indices {
      let (segment, index) = chain[position]
      defer { lastRecord = reports[index].scan.lastRecordForNext(after: lastRecord) }
      guard position > 0 else { continue }
      let (previousSegment, previousIndex) = chain[position - 1]
      if segment.rawValue != previousSegment.rawValue + 1 {
        recordGap(after: previousSegment, before: segment, timeline: files[index].name!.timeline,
                  geometry: geometry, reportIndex: index)
        lastRecord = nil
        continue
      }
      checkBoundary(from: previousIndex, to: index, lastRecord: lastRecord, geometry: geometry)
    }
  }

  private mutating func recordGap(after: SegmentNumber, before: SegmentNumber, timeline: TimelineID,
                                  geometry: WALGeometry, reportIndex: Int)
  {
    let first = SegmentNumber(after.rawValue + 1)
    let last = SegmentNumber(before.rawValue - 1)
    let count = last.rawValue - first.rawValue + 1
    if count <= UInt64(removedWhileRead.count), (first.rawValue...last.rawValue).allSatisfy({ segment in
      SegmentName(timeline: timeline, segment: SegmentNumber(segment), geometry: geometry).map(removedWhileRead.contains) ?? false
    }) {
      return
    }
    let firstName = SegmentName(timeline: timeline, segment: first, geometry: geometry)
    let lastName = SegmentName(timeline: timeline, segment: last, geometry: geometry)
    let span = count == 1
      ? "segment \(firstName.map(String.init(describing:)) ?? "?") is missing"
      : "segments \(firstName.map(String.init(describing:)) ?? "?") to \(lastName.map(String.init(describing:)) ?? "?") are missing (\(count) segments, \(WALGeometry.formatSize(geometry.bytes(ofSegments: count))))"
    let start = geometry.startLSN(of: first)
    gapProblems.append((reportIndex, WALProblem(.missingSegment,
      "\(span) between \(SegmentName(timeline: timeline, segment: after, geometry: geometry).map(String.init(describing:)) ?? "?") and \(SegmentName(timeline: timeline, segment: before, geometry: geometry).map(String.init(describing:)) ?? "?") on timeline \(timeline)",
      at: WALLocation(segment: firstName, lsn: start))))
  }

  /// Checks that the WAL of two consecutive segments of a timeline joins up.
  private mutating func checkBoundary(from previousIndex: Int, to index: Int, lastRecord: LSN?, geometry: WALGeometry) {
    // A segment of another cluster is reported as such; its neighbours are not blamed for it.
    guard reports[previousIndex].scan.systemIdentifier == clusterIdentifier, reports[index].scan.systemIdentifier == clusterIdentifier,
      !ofAnotherSize.contains(previousIndex), !ofAnotherSize.contains(index)
    else { return }
    if let problem = SegmentJoin.problem(joining: reports[previousIndex].scan, to: reports[index].scan, lastRecord: lastRecord,
                                         geometry: geometry, file: files[index].path, name: reports[index].name)
    {
      reports[index].problems.append(problem)
    }
  }

  // MARK: Timeline histories

  /// Where recorded histories say each timeline was left for a child: (child, switch point).
  private var switchPoints: [TimelineID: [(child: TimelineID, lsn: LSN)]] {
    var points: [TimelineID: [(child: TimelineID, lsn: LSN)]] = [:]
    for (child, history) in histories {
      if let last = history.entries.last { points[last.parent, default: []].append((child, last.switchPoint)) }
    }
    return points
  }

  /// A timeline after the first needs its history file for recovery to follow it; a timeline
  /// that a child left at a switch point should hold no WAL past it (if it does, its server
  /// went on writing after the promotion: a split brain).
  private mutating func checkHistory(of timeline: TimelineID, chain: [(SegmentNumber, Int)]) {
    guard let (_, firstIndex) = chain.first else { return }
    if checksMissingHistories, timeline > TimelineID(1), historyFiles[timeline] == nil {
      let name = timeline.historyFileName
      let directory = files[firstIndex].path.contains("/") ? FilePaths.historyDirectory(ofSegmentAt: files[firstIndex].path) : ""
      gapProblems.append((firstIndex, WALProblem(.missingHistory,
        "timeline \(timeline) has \(chain.count) segment\(chain.count == 1 ? "" : "s") but \(name) is missing: recovery cannot follow it",
        at: WALLocation(file: directory.isEmpty ? name : directory + "/" + name))))
    }
    for (child, switchPoint) in switchPoints[timeline] ?? [] {
      let beyond = chain.filter { _, index in
        !files[index].isPartial && (reports[index].scan.lastRecord.map { $0 >= switchPoint } ?? false)
      }
      guard let (_, first) = beyond.first, let (_, last) = beyond.last else { continue }
      let through = reports[last].scan.validThrough.map { " up to \($0)" } ?? ""
      gapProblems.append((first, WALProblem(.orphanTimeline,
        "timeline \(timeline) goes on past \(switchPoint), where \(child.historyFileName) branches timeline \(child) off it: its server went on writing after the promotion\(through); that WAL is not on timeline \(child)",
        at: WALLocation(file: files[first].path, segment: reports[first].name, lsn: switchPoint))))
    }
  }

  /// True when valid WAL of the segment ends where a history file says its timeline was left.
  private func endsAtASwitchPoint(_ scan: SegmentScan) -> Bool {
    guard let timeline = scan.name?.timeline, let end = scan.validThrough else { return false }
    return (switchPoints[timeline] ?? []).contains { $0.lsn == end }
  }

  /// The segment other than the one at `index` that `problem` lies in, when it is in the set.
  private func laterSegment(holding problem: WALProblem, besides index: Int) -> Int? {
    let other = problem.location.file.flatMap { path in files.firstIndex { $0.path == path } }
      ?? problem.location.segment.flatMap { segment in reports.indices.first { reports[$0].name == segment && !files[$0].isPartial } }
    return other == index ? nil : other
  }

  /// True when the reading of the segment at `other` found `problem` too (the same kind at the
  /// same offset).
  private func foundInItsOwnReading(_ problem: WALProblem, at other: Int) -> Bool {
    let scan = reports[other].scan
    return (scan.problems + [scan.stopProblem].compactMap { $0 }).contains {
      $0.kind == problem.kind && $0.location.fileOffset == problem.location.fileOffset
    }
  }

  /// True when a full segment of the same name as this `.partial` is present.
  private func hasFullTwin(_ index: Int) -> Bool {
    guard let name = reports[index].name else { return false }
    return files.indices.contains { $0 != index && !files[$0].isPartial && reports[$0].name == name }
  }

  // MARK: Where WAL stops

  /// Decides whether a segment's stop is damage or a legitimate end of WAL, and sets its status.
  /// `later` is the next segment of its timeline holding WAL; `validEndBefore`, where the
  /// segment before it left off when its last record continues into this one.
  private mutating func judgeEnding(_ index: Int, laterWALIn later: SegmentName?, validEndBefore: LSN?, geometry: WALGeometry) {
    guard !ofAnotherSize.contains(index) else {
      reports[index].status = .damaged
      return
    }
    let scan = reports[index].scan
    // When nothing of this segment is valid, valid WAL ends where the record crossing into it starts.
    var validEnd = scan.validThrough
    if let before = validEndBefore, let start = scan.segment.flatMap(geometry.startLSN(of:)),
      (scan.validThrough ?? start) <= start.advanced(by: UInt64(PageHeader.longSize)) ?? start
    {
      validEnd = before
    }
    let file = files[index]
    var status: SegmentStatus
    switch scan.ending {
    case .switched: status = .switched
    case .complete, .continuesBeyond: status = .complete
    case .stopped: status = .complete
    }
    if let stop = scan.stopProblem {
      // A segment a record continues into that could not be read is that file's problem; this
      // one is read up to the record.
      let aboutThisFile = stop.location.file.map { $0 == file.path } ?? true
      if aboutThisFile && stop.kind.makesFileUnreadable || stop.kind == .unexpectedFile && scan.version == nil {
        reports[index].status = .unreadable
        reports[index].problems.insert(stop, at: 0)
        return
      }
      guard let signature = scan.endOfWALSignature else {
        // Damage in a later segment the record continues into is that segment's: listed there
        // once (instead of the same finding of joining it to the segment before, or of its
        // own reading), and this one is not damaged.
        if let other = laterSegment(holding: stop, besides: index) {
          if !foundInItsOwnReading(stop, at: other) {
            reports[other].problems.removeAll { $0.kind == stop.kind && $0.location.fileOffset == stop.location.fileOffset }
            var located = stop
            located.location.file = located.location.file ?? files[other].path
            reports[other].problems.insert(located, at: 0)
            reports[other].status = .damaged
          }
          reports[index].status = status
          return
        }
        // A first page whose contrecord length contradicts the segment before (found above):
        // what reading this segment's continuation from it found follows from that.
        if stop.kind == .brokenContinuation, scan.firstRecord == nil,
          reports[index].problems.contains(where: { $0.kind == .brokenContinuation && $0.location.fileOffset == 0 })
        {
          reports[index].status = .damaged
          return
        }
        reports[index].problems.append(stop)
        reports[index].status = .damaged
        return
      }
      // A record that runs into a later segment and stops there: that segment's own reading
      // says whether its WAL may end there.
      if let other = laterSegment(holding: stop, besides: index), foundInItsOwnReading(stop, at: other) {
        reports[index].status = status
        return
      }
      if let later, !(file.isPartial && (endsAtASwitchPoint(scan) || hasFullTwin(index))) {
        reports[index].problems.append(EndOfWAL.problem(scan, stop: stop, validEnd: validEnd,
                                                        because: ", but \(later) continues timeline \(later.timeline)"))
      } else if EndOfWAL.mayEndInside(isPartial: file.isPartial, isLive: file.isInLiveDirectory) {
        status = scan.holdsOwnWAL || scan.firstPageTimeline != nil && signature != .stalePage
          ? .inProgress : signature == .stalePage ? .recycled : .unused
      } else {
        let reason = validEnd.map { end in scan.segment.flatMap(geometry.startLSN(of:)).map { end < $0 } ?? false } ?? false
          ? EndOfWAL.archivedSegmentLeavesRecordUnfinished : EndOfWAL.archivedSegmentIsWhole
        reports[index].problems.append(EndOfWAL.problem(scan, stop: stop, validEnd: validEnd, because: reason))
      }
    }
    reports[index].status = reports[index].problems.allSatisfy(\.kind.isAboutStorage) ? status : .damaged
  }
}

extension SegmentScan {
  /// True when the segment holds WAL written for it (not a recycled or never-written file).
  package var holdsOwnWAL: Bool { recordCount > 0 || continuedBytes > 0 }

  /// The last record before the next segment, which its first record's prev-link must name:
  /// this segment's last, or `before` (the last one so far) when it holds only the middle of a
  /// record; `nil` when unknown, because reading stopped before the segment's end.
  package func lastRecordForNext(after before: LSN?) -> LSN? {
    if case .stopped = ending { return nil }
    return lastRecord ?? (continuedBytes > 0 ? before : nil)
  }
}

/// The value that occurs most often (the first of equals); `nil` for no values.
package func mostCommon<T: Hashable>(_ values: [T]) -> T? {
  // Nearly always one value: no dictionary, whose first use of a key type costs the Swift
  // runtime a search of every conformance in the program (tens of µs, paid by a lone segment).
  if let first = values.first, values.allSatisfy({ $0 == first }) { return first }
  var counts: [T: Int] = [:]
  var best: T?
  var bestCount = 0
  for value in values {
    counts[value, default: 0] += 1
    if counts[value]! > bestCount {
      best = value
      bestCount = counts[value]!
    }
  }
  return best
}
