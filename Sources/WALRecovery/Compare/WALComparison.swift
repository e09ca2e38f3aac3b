import WALCore
import WALIO
import WALReader
import WALDescriptions

/// Compares two WAL sets — directories (archives, pg_wal) or two segment files — segment by
/// segment, then as histories: where the record streams part, whether that is a recorded
/// switch point, and what each side holds past it.
public struct WALComparison: Sendable {
  public var a: String
  public var b: String
  /// Only segments overlapping this LSN range, and a divergence inside it.
  public var range: ClosedRange<LSN>?
  /// Files compared at once; 0 means one per processor.
  public var jobs: Int
  /// How both sides' directories are read; `nil` detects each one's layout.
  public var layout: RepositoryLayout?

  public init(a: String, b: String, range: ClosedRange<LSN>? = nil, jobs: Int = 0, layout: RepositoryLayout? = nil) {
    self.a = a
    self.b = b
    self.range = range
    self.jobs = jobs
    self.layout = layout
  }

  public struct Failure: Error, Sendable, CustomStringConvertible {
    public var description: String
  }

  /// One side: its files by segment, and the path its newest timeline's history takes.
  struct Side {
    var files: [WALFile]
    var catalog: WALCatalog?
    var path: [SegmentNumber: WALFile] = [:]
    var timelineAt: [SegmentNumber: TimelineID] = [:]
    var switchPoints: [LSN] = []
  }

  public func run() throws(Failure) -> ComparisonReport {
    let inputsA: WALInputs, inputsB: WALInputs
    do {
      inputsA = try WALInputs(paths: [a], layout: layout)
      inputsB = try WALInputs(paths: [b], layout: layout)
    } catch {
      throw Failure(description: error.description)
    }
    let twoFiles = !Storage.isDirectory(a) && !Storage.isDirectory(b)
    for (inputs, path) in [(inputsA, a), (inputsB, b)] where inputs.isEmpty {
      throw Failure(description: WALInputs.nothingToRead(in: [path]))
    }
    guard let geometry = WALGeometry.announced(by: inputsA.files + inputsB.files) else {
      throw Failure(description: "no readable WAL segment in \(a) or \(b)")
    }
    var sideA = Side(files: inputsA.files)
    var sideB = Side(files: inputsB.files)
    if twoFiles {
      guard let fileA = inputsA.files.first, let fileB = inputsB.files.first else {
        throw Failure(description: "nothing to compare")
      }
      let segment = fileA.name?.segment(in: geometry) ?? Self.segmentFromContent(fileA, geometry: geometry) ?? SegmentNumber(0)
      let comparison = SegmentComparison.compare(segment: segment, fileA, fileB, geometry: geometry, scanner: SegmentScanner(),
                                                 followingA: { _ in nil }, followingB: { _ in nil })
      return ComparisonReport(sideA: a, sideB: b, segments: [comparison],
                              divergence: comparison.result == .different ? Self.divergence(of: comparison) : nil,
                              switchPoints: [], systemIdentifierA: comparison.systemIdentifierA,
                              systemIdentifierB: comparison.systemIdentifierB)
    }
    for index in 0..<2 {
      var side = index == 0 ? sideA : sideB
      let catalog = try? WALCatalog(sources: [index == 0 ? a : b], layout: layout)
      side.catalog = catalog
      if let catalog { Self.buildPath(&side, catalog: catalog, geometry: geometry) }
      if index == 0 { sideA = side } else { sideB = side }
    }

    let pairs = Self.pair(sideA.files, sideB.files, geometry: geometry).filter { overlaps($0.segment, geometry: geometry) }
    let lookupA = SegmentLookup(sideA.files), lookupB = SegmentLookup(sideB.files)
    var segments = compareAll(pairs, geometry: geometry, lookupA: lookupA, lookupB: lookupB)
    segments.sort { ($0.segment, $0.fileA?.name?.timeline ?? $0.fileB!.name!.timeline) < ($1.segment, $1.fileA?.name?.timeline ?? $1.fileB!.name!.timeline) }
    let systems = Self.judgeSystems(&segments)
    for index in segments.indices {
      segments[index].placeShortEnd(geometry: geometry) { onA, name in
        Self.startOfRecord(continuedInto: name, lookup: onA ? lookupA : lookupB, geometry: geometry)
      }
    }
    let compared = segments
    for index in segments.indices {
      segments[index].judgePrefix { onA, segment, timeline in Self.laterWAL(in: compared, onA: onA, after: segment, timeline: timeline, geometry: geometry) }
    }

    // The histories: each side's path, segment by segment.
    var divergence: ComparisonReport.Divergence?
    let bothHold = Set(sideA.path.keys).intersection(sideB.path.keys)
    let shared = bothHold.filter { overlaps($0, geometry: geometry) }.sorted()
    let scanner = SegmentScanner()
    for segment in shared where systems.a == systems.b {
      let fileA = sideA.path[segment]!, fileB = sideB.path[segment]!
      let comparison = segments.first { $0.fileA == fileA && $0.fileB == fileB }
        ?? SegmentComparison.compare(segment: segment, fileA, fileB, geometry: geometry, scanner: scanner,
                                     followingA: lookupA.data(for:), followingB: lookupB.data(for:))
      guard comparison.result == .different, let found = Self.divergence(of: comparison) else { continue }
      if let range, !range.contains(found.lsn) { continue }
      divergence = found
      break
    }
    let switchPoints = Array(Set(sideA.switchPoints + sideB.switchPoints)).sorted()
    // A switch point on a page boundary (after an XLOG SWITCH, at a segment's start) parts the
    // histories at the first record past that page's header.
    func isFork(_ point: LSN, at lsn: LSN) -> Bool {
      let header = geometry.segmentOffset(of: point) == 0 ? PageHeader.longSize : geometry.pageOffset(of: point) == 0 ? PageHeader.shortSize : 0
      return point.advanced(by: UInt64(header)) == lsn
    }
    if var found = divergence {
      let fork = switchPoints.first { isFork($0, at: found.lsn) }
      found.timelineA = sideA.timelineAt[found.segment]
      found.timelineB = sideB.timelineAt[found.segment]
      let sharedBefore = found.segment.rawValue > 0 && bothHold.contains(SegmentNumber(found.segment.rawValue - 1))
      let atFirstWAL = found.differsInContinuationA || found.differsInContinuationB
        || found.firstDifferentOffset == UInt64(PageHeader.longSize)
      if atFirstWAL && !sharedBefore && fork == nil {
        found.beforeSharedWAL = geometry.startLSN(of: found.segment)
      }
      let timelinesPart = found.timelineA != nil && found.timelineB != nil && found.timelineA != found.timelineB
      if !(sideA.catalog?.histories.isEmpty ?? true) || !(sideB.catalog?.histories.isEmpty ?? true) {
        found.isSwitchPoint = fork != nil
        found.switchPoint = fork ?? switchPoints.last { $0 <= found.lsn }
        if let before = found.beforeSharedWAL, timelinesPart, let switchPoint = switchPoints.last(where: { $0 < before }) {
          found.switchPoint = switchPoint
          found.isSwitchPoint = true
        } else if let range, found.isSwitchPoint == false, let before = found.switchPoint, before < range.lowerBound,
          let timelineA = found.timelineA, let timelineB = found.timelineB, timelineA != timelineB
        {
          found.switchPointBeforeRange = before
        }
      }
      found.beyondA = Self.beyond(found.lsn, on: sideA, geometry: geometry, lookup: lookupA, scanner: scanner)
      found.beyondB = Self.beyond(found.lsn, on: sideB, geometry: geometry, lookup: lookupB, scanner: scanner)
      divergence = found
    }
    return ComparisonReport(sideA: a, sideB: b, segments: segments, divergence: divergence, switchPoints: switchPoints,
                            systemIdentifierA: systems.a, systemIdentifierB: systems.b)
  }

  /// Where the record continued into segment `name` starts: in the nearest segment before it
  /// (of its timeline, on the same side) where a record starts, as far back as a record can be long.
  static func startOfRecord(continuedInto name: SegmentName, lookup: SegmentLookup, geometry: WALGeometry) -> LSN? {
    let scanner = SegmentScanner()
    var segment = name.segment(in: geometry)
    // As far back as a record can be long: PostgreSQL allocates at most MaxAllocSize for one.
    let maximumRecordLength: UInt64 = 0x3FFF_FFFF
    for _ in 0...(maximumRecordLength / geometry.segmentSize) {
      guard let current = segment, current.rawValue > 0 else { return nil }
      let previous = SegmentNumber(current.rawValue - 1)
      guard let previousName = SegmentName(timeline: name.timeline, segment: previous, geometry: geometry),
        let data = try? lookup.data(for: previousName)
      else { return nil }
      let scan = scanner.scan(data, file: previousName.description, name: previousName, following: lookup.data(for:), visit: nil)
      if scan.firstRecord != nil {
        // Only a reading that ends at the record running into `name`, not at damage of its own.
        switch scan.ending {
        case .continuesBeyond(let recordStart): return recordStart
        case .stopped where scan.stopProblem?.location.segment == name: return scan.validThrough
        default: return nil
        }
      }
      segment = previous
    }
    return nil
  }

  /// Each side's database system: the system identifier most of its segments carry. A copy of
  /// another system's WAL among a side's segments does not belong there: it is damaged.
  static func judgeSystems(_ segments: inout [SegmentComparison]) -> (a: UInt64?, b: UInt64?) {
    let systemA = mostCommon(segments.compactMap(\.systemIdentifierA))
    let systemB = mostCommon(segments.compactMap(\.systemIdentifierB))
    let agreeingA = segments.count { $0.systemIdentifierA == systemA }, agreeingB = segments.count { $0.systemIdentifierB == systemB }
    for index in segments.indices {
      for (side, found, system) in [("A", segments[index].systemIdentifierA, systemA), ("B", segments[index].systemIdentifierB, systemB)] {
        guard let found, let system, found != system else { continue }
        let agreeing = side == "A" ? agreeingA : agreeingB
        let foreign = "WAL of another database system: system identifier \(found), while \(agreeing) other "
          + "segment\(agreeing == 1 ? "" : "s") of \(side) \(agreeing == 1 ? "has" : "have") \(system)"
        if segments[index].result == .onlyInA || segments[index].result == .onlyInB {
          segments[index].copyIsDamaged = true
          segments[index].note = "only in \(side), and it is \(foreign)"
        } else {
          let isSecond = segments[index].result == .damaged && side == "B"
          segments[index].result = .damaged
          segments[index].firstDifferentLSN = nil
          segments[index].firstDifferentOffset = UInt64(PageHeader.Layout.systemIdentifier)
          segments[index].note = (isSecond ? segments[index].note + "; " : "") + "\(side)'s copy is \(foreign)"
        }
      }
    }
    return (systemA, systemB)
  }

  /// The first segment after `segment` on one side's `timeline` that holds WAL of its own: read
  /// past its start, or identical to the other side's copy outside a live pg_wal (where later
  /// files may be recycled ones).
  static func laterWAL(in segments: [SegmentComparison], onA: Bool, after segment: SegmentNumber, timeline: TimelineID,
                       geometry: WALGeometry) -> SegmentName? {
    for comparison in segments where comparison.segment > segment {
      guard let file = onA ? comparison.fileA : comparison.fileB, file.name?.timeline == timeline,
        let start = geometry.startLSN(of: comparison.segment)
      else { continue }
      let through = onA ? comparison.validThroughA : comparison.validThroughB
      if through.map({ $0 > start }) ?? (comparison.result == .identical && startsOwnWAL(file, at: start)) { return file.name }
    }
    return nil
  }

  /// Whether a file's first page is its own segment's (not a recycled or pre-allocated file).
  private static func startsOwnWAL(_ file: WALFile, at start: LSN) -> Bool {
    guard let data = try? SegmentData.load(path: file.path, prefix: 8192, named: file.compressionByName),
      let header = PageHeader(decoding: data.bytes)
    else { return false }
    return header.pageAddress == start && WALVersion(pageMagic: header.magic) != nil
  }

  private func overlaps(_ segment: SegmentNumber, geometry: WALGeometry) -> Bool {
    guard let range, let start = geometry.startLSN(of: segment) else { return true }
    let end = start.advanced(by: geometry.segmentSize) ?? start
    return start <= range.upperBound && end > range.lowerBound
  }

  static func segmentFromContent(_ file: WALFile, geometry: WALGeometry) -> SegmentNumber? {
    guard let data = try? SegmentData.load(path: file.path, inflateLimit: SegmentData.announcedSegmentSize, named: file.compressionByName),
      let header = PageHeader(decoding: data.bytes)
    else { return nil }
    return geometry.segment(containing: header.pageAddress)
  }

  /// The path recovery would take on this side: the newest timeline whose history files are
  /// there, from the lowest timeline's first segment.
  static func buildPath(_ side: inout Side, catalog: WALCatalog, geometry: WALGeometry) {
    guard let first = catalog.segments.keys.min() ?? catalog.partials.keys.min(), let firstSegment = first.segment(in: geometry)
    else { return }
    var target = first.timeline
    while target.rawValue < UInt32.max, catalog.histories[TimelineID(target.rawValue + 1)] != nil {
      target = TimelineID(target.rawValue + 1)
    }
    let spans = catalog.histories[target]?.spans ?? [TimelineHistory.Span(timeline: target, begin: .invalid, end: nil)]
    side.switchPoints = catalog.histories.values.flatMap { $0.entries.map(\.switchPoint) }
    // A .partial stands in for its segment when the side has nothing better: diff compares
    // what is there, not only what recovery would restore.
    var withPartials = catalog
    for (name, file) in catalog.partials where catalog.segments[name] == nil { withPartials.segments[name] = (file, 0) }
    let last = (withPartials.segments.keys.compactMap { $0.segment(in: geometry) }.max()) ?? firstSegment
    let path = RecoveryPath.build(spans: spans, from: firstSegment, through: last, geometry: geometry, catalog: withPartials)
    for step in path.steps {
      guard let file = step.file else { continue }
      side.path[step.segment] = file
      side.timelineAt[step.segment] = step.name.timeline
    }
  }

  /// Pairs files by name, then what is left by LSN range (the same segment on two timelines).
  static func pair(_ a: [WALFile], _ b: [WALFile], geometry: WALGeometry) -> [(segment: SegmentNumber, a: WALFile?, b: WALFile?)] {
    func preferComplete(_ files: [WALFile]) -> [SegmentName: WALFile] { files.indexByName().mapValues { files[$0] } }
    let namedA = preferComplete(a), namedB = preferComplete(b)
    var pairs: [(SegmentNumber, WALFile?, WALFile?)] = []
    var leftA: [SegmentNumber: [WALFile]] = [:], leftB: [SegmentNumber: [WALFile]] = [:]
    for (name, file) in namedA {
      guard let segment = name.segment(in: geometry) else { continue }
      if let other = namedB[name] { pairs.append((segment, file, other)) } else { leftA[segment, default: []].append(file) }
    }
    for (name, file) in namedB where namedA[name] == nil {
      guard let segment = name.segment(in: geometry) else { continue }
      leftB[segment, default: []].append(file)
    }
    for (segment, files) in leftA {
      var others = leftB[segment] ?? []
      for file in files.sorted(by: { $0.name! < $1.name! }) {
        if !others.isEmpty {
          pairs.append((segment, file, others.removeFirst()))
        } else {
          pairs.append((segment, file, nil))
        }
      }
      leftB[segment] = others
    }
    for (segment, files) in leftB { for file in files { pairs.append((segment, nil, file)) } }
    return pairs.map { (segment: $0.0, a: $0.1, b: $0.2) }
  }

  private func compareAll(_ pairs: [(segment: SegmentNumber, a: WALFile?, b: WALFile?)], geometry: WALGeometry,
                          lookupA: SegmentLookup, lookupB: SegmentLookup) -> [SegmentComparison]
  {
    parallelMap(count: pairs.count, workers: jobs, context: { SegmentScanner() }) { index, scanner in
      let pair = pairs[index]
      switch (pair.a, pair.b) {
      case let (fileA?, fileB?):
        return SegmentComparison.compare(segment: pair.segment, fileA, fileB, geometry: geometry, scanner: scanner,
                                         followingA: lookupA.data(for:), followingB: lookupB.data(for:))
      case let (fileA?, nil):
        return SegmentComparison.onOneSide(segment: pair.segment, fileA, isInA: true, geometry: geometry, scanner: scanner,
                                           following: lookupA.data(for:))
      case let (nil, fileB?):
        return SegmentComparison.onOneSide(segment: pair.segment, fileB, isInA: false, geometry: geometry, scanner: scanner,
                                           following: lookupB.data(for:))
      case (nil, nil):
        return nil
      }
    }.compactMap { $0 }
  }

  static func divergence(of comparison: SegmentComparison) -> ComparisonReport.Divergence? {
    guard let lsn = comparison.firstDifferentLSN else { return nil }
    return ComparisonReport.Divergence(
      lsn: lsn, segment: comparison.segment, recordA: comparison.recordA, recordB: comparison.recordB,
      firstDifferentOffset: comparison.firstDifferentOffset, differsInContinuationA: comparison.differsInContinuationA,
      differsInContinuationB: comparison.differsInContinuationB)
  }

  /// What `side` holds from `lsn` to the end of its path.
  static func beyond(_ lsn: LSN, on side: Side, geometry: WALGeometry, lookup: SegmentLookup,
                     scanner: SegmentScanner) -> ComparisonReport.Beyond?
  {
    let segments = side.path.keys.filter { $0 >= geometry.segment(containing: lsn) }.sorted()
    guard !segments.isEmpty else { return nil }
    var records = 0, commits = 0
    var transactions = Set<UInt32>()
    var end = lsn
    for (index, segment) in segments.enumerated() {
      if index > 0 && segment.rawValue != segments[index - 1].rawValue + 1 { break }
      let file = side.path[segment]!
      guard let data = try? SegmentData.load(path: file.path, inflateLimit: SegmentData.announcedSegmentSize, named: file.compressionByName) else { break }
      let scan = scanner.scan(data, file: file.path, name: file.name, following: lookup.data(for:),
                              from: index == 0 ? lsn : nil, visit: { record in
                                records += 1
                                if record.header.xid != 0 { transactions.insert(record.header.xid) }
                                if record.header.isCommit { commits += 1 }
                                end = max(end, record.end)
                              })
      if scan.stopProblem != nil { break }
    }
    return ComparisonReport.Beyond(bytes: end.distance(from: lsn), records: records, commits: commits,
                                   transactions: transactions.count, end: end)
  }
}

/// Whether a path names a directory.

