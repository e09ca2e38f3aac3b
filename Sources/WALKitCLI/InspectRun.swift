import ArgumentParser
import WALKit

extension InspectRequest {
  /// Lists the records asked for, or their statistics, as pg_waldump does; damage exits 1,
  /// anything that stops the reading 2.
  func run() throws {
    if showsVersion {
      print(Walkit.versionText, terminator: "")
      return
    }
    if resourceManagers.contains("list") {
      for manager in ResourceManager.builtIn { print(manager.name) }
      return
    }
    let (source, range, readTimeline): (String, Range<LSN>?, TimelineID?)
    do { (source, range, readTimeline) = try selection() } catch let error as WALInputs.Error {
      printError("walkit inspect: \(error.description)")
      throw ExitCode(ExitStatus.couldNotFinish)
    }
    let filter = RecordFilter(
      resourceManagers: resourceManagers.isEmpty ? nil : Set(resourceManagers.compactMap { ResourceManager.named($0)?.id }),
      xid: xid, relation: relation, block: block, fork: fork, fullPageImagesOnly: fullPageImagesOnly)
    let pages: FullPageWriter?
    do { pages = try saveFullPagesTo.map(FullPageWriter.init(directory:)) } catch let error as FileSystemError {
      printError("walkit inspect: \(error)")
      throw ExitCode(ExitStatus.couldNotFinish)
    }
    let wantsStatistics = statistics || statisticsPerRecord || quiet
    // Times in record lines as pg_waldump prints them, in the local time zone (TZ); JSON
    // keeps UTC.
    TimestampText.usesLocalTime = !json
    let printer = RecordPrinter(
      filter: filter,
      form: wantsStatistics ? .statistics : json ? .json : blockDetails ? .lineWithBlockDetails : .line)
    // Segments are read and formatted on all cores, then written in order, unless records
    // must be counted as they are shown, waited for, or saved.
    let inParallel = limit == nil && !follow && pages == nil
    var state = ListingChunk.make()
    let output = BufferedOutput()
    var problems: [WALProblem] = []
    var readRange = range
    if follow { Interruption.install() }
    var announcedLayout = false
    var lostWAL: (from: LSN, to: LSN?)?
    var resumptions: [SegmentScan.Resumption] = []
    var pinned: PinnedSegment?
    defer { pinned?.close() }
    var start = InspectStart(requested: range?.lowerBound)
    var isLaterPass = false
    /// Where the WAL read stopped short of the end of the range asked for, and the segment
    /// the reading would have gone on in when it is missing (none when the WAL ends inside a
    /// segment: zeros, a `.partial`'s end).
    var shortOfRangeEnd: (segment: SegmentName?, upper: LSN)?
    while true {
      let endBeforePass = state.lastEnd
      // Following, a later pass must go on from the record the last pass ended with.
      var joinsLastPass = isLaterPass
      isLaterPass = follow
      var inputs: WALInputs
      do { inputs = try WALInputs(paths: [source], layout: layout) } catch {
        printError("walkit inspect: \(error.description)")
        throw ExitCode(ExitStatus.couldNotFinish)
      }
      pinned?.standIn(in: &inputs)
      let stream = WALStream(inputs)
      if !announcedLayout {
        announcedLayout = true
        let lines = repositoryLines(stream.inputs.repositories)
        if !lines.isEmpty { printError("walkit inspect: reading " + lines.dropLast()) }
        start.segmentSize = WALGeometry.announced(by: inputs.files)?.segmentSize
        // Following, the start's segment may be one still to come.
        if let missing = InspectStart.whatIsMissing(in: inputs, source: source, startSegment: startSegment,
                                                    requested: follow ? nil : start.requested, timeline: readTimeline) {
          printError("walkit inspect: \(missing)")
          throw ExitCode(ExitStatus.couldNotFinish)
        }
        // A start at or after the end: no record to look for, and none to wait for.
        if let range, range.isEmpty {
          printError("walkit inspect: " + start.nothingFound(in: source))
          throw ExitCode(ExitStatus.couldNotFinish)
        }
      }
      let headersOnly = wantsStatistics && pages == nil
      let damage: WALStream.DamageHandling = keepGoing ? .resynchronize : .stop
      let report: VerificationReport
      if inParallel {
        report = stream.forEachSegmentInParallel(
          timeline: readTimeline, in: readRange, afterDamage: damage, headersOnly: headersOnly,
          makeChunk: { ListingChunk.make() }, visit: { record, chunk in printer.take(record, into: &chunk) },
          isWorthDelivering: wantsStatistics ? nil : ListingChunk.holdsEnoughText,
          deliver: { chunk in
            if state.firstRecord == nil, let first = chunk.firstRecord, let version = chunk.firstVersion {
              start.announce(firstRecord: first, version: version, to: output, json: json)
            }
            output.write(chunk.bytes)
            state.append(chunk)
            chunk.recycle()
          })
      } else {
        report = stream.forEachRecord(timeline: readTimeline, in: readRange, afterDamage: damage, headersOnly: headersOnly,
                                      endOfWALStops: follow) { record in
          if joinsLastPass {
            joinsLastPass = false
            if let last = state.lastRecord, record.header.previous != last {
              // The WAL between the last pass and this one is gone from the source.
              lostWAL = (state.lastEnd ?? last, record.lsn)
              return false
            }
          }
          if state.firstRecord == nil {
            start.announce(firstRecord: record.lsn, version: record.version, to: output, json: json)
          }
          if printer.take(record, into: &state) { pages?.save(record) }
          if state.bytes.count >= 1 << 20 {
            output.write(state.bytes)
            state.bytes.removeAll()
          }
          return limit.map { state.shown < $0 } ?? true
        }
        output.write(state.bytes)
        state.bytes.removeAll()
      }
      output.flush()
      let limitReached = limit.map { state.shown >= $0 } ?? false
      if let pinned, let first = report.segments.first, first.file.path == pinned.path,
        first.scan.stopProblem?.kind == .wrongPageAddress
      {
        // The segment held open was recycled and written again as a later one before it was read.
        lostWAL = (state.lastEnd ?? .invalid, nil)
      } else if follow && !limitReached && Self.isStillBeingWritten(report) {
        // The last file read is not written to its end yet: wait for it.
      } else {
        // pg_waldump stops reading at `-n`'s last record or at `-e`: damage past there is none of its business.
        let stoppedAt = [limitReached ? state.lastEnd : nil, follow ? nil : range?.upperBound].compactMap { $0 }.min()
        let geometry = stoppedAt == nil ? nil : WALGeometry.announced(by: inputs.files)
        problems += report.problems.filter { !Self.liesPast(stoppedAt, $0, geometry: geometry) }
      }
      resumptions += report.segments.flatMap(\.scan.resumptions)
      if !follow, let upper = range?.upperBound, upper != LSN(.max), !problems.contains(where: { $0.severity == .problem }),
        limit.map({ state.shown < $0 }) ?? true,
        !report.segments.contains(where: { Self.reaches($0.scan, upper) })
      {
        shortOfRangeEnd = (Self.segmentAfter(report), upper)
      }
      guard follow, !problems.contains(where: { $0.severity == .problem }), lostWAL == nil, !limitReached, !Interruption.happened else { break }
      // Hold open the segment the next pass starts in.
      let resumeSegment = (state.lastEnd ?? readRange?.lowerBound).flatMap { lsn in start.segmentSize.map { lsn.rawValue / $0 } }
      let resumeFile = report.segments.first { $0.scan.segment?.rawValue == resumeSegment }?.file ?? report.segments.last?.file
      if let resumeFile, resumeFile.path != pinned?.path {
        pinned?.close()
        pinned = PinnedSegment(resumeFile)
      }
      // Next time, start where this pass ended, unless the WAL read reaches the end asked for;
      // wait only when the pass found nothing new.
      let upper = readRange?.upperBound ?? LSN(.max)
      if upper != LSN(.max), report.segments.contains(where: { Self.reaches($0.scan, upper) }) { break }
      if let lastEnd = state.lastEnd {
        guard lastEnd < upper else { break }
        readRange = lastEnd..<upper
      }
      if state.lastEnd == endBeforePass { Interruption.sleep(seconds: 1) }
      if Interruption.happened { break }
    }
    if let lostWAL {
      output.flush()
      printError("walkit inspect: the WAL from \(lostWAL.from)\(lostWAL.to.map { " to \($0)" } ?? " on") is no longer in \(source): its segments were recycled or removed before they could be read, so its records were not shown")
      throw ExitCode(ExitStatus.couldNotFinish)
    }
    if wantsStatistics && !quiet {
      var collected = state.statistics ?? WALStatistics()
      if let first = state.firstRecord { collected.startReading(at: first, version: state.firstVersion) }
      output.write(json ? JSONOutput.encode(StatsJSON(collected, perRecord: statisticsPerRecord)) + "\n"
                        : InspectText.statistics(collected, perRecord: statisticsPerRecord))
    }
    output.flush()
    if let failure = pages?.failure {
      printError("walkit inspect: \(failure)")
      throw ExitCode(ExitStatus.couldNotFinish)
    }
    for problem in problems {
      printError("walkit inspect: " + (problem.severity == .note ? "note: " : "error in WAL: ") + "\(problem)")
    }
    for resumption in resumptions {
      printError("walkit inspect: resumed at \(resumption.resumedAt) after damage at \(resumption.damagedAt): \(counted(resumption.skippedBytes, "byte")) not read as records")
      if json && !wantsStatistics { output.write(JSONOutput.encode(ResumptionJSON(resumption), pretty: false) + "\n") }
    }
    output.flush()
    if problems.contains(where: { $0.severity == .problem }) { throw ExitCode(ExitStatus.problemsFound) }
    if state.lastRecord == nil {
      if Interruption.happened {
        printError("walkit inspect: stopped while waiting; no record read" + (range.map { " at or after \($0.lowerBound)" } ?? ""))
        return
      }
      printError("walkit inspect: " + start.nothingFound(in: source))
      throw ExitCode(ExitStatus.couldNotFinish)
    }
    if let lastEnd = state.lastEnd, let short = shortOfRangeEnd, let missing = short.segment {
      // As pg_waldump, which cannot open the file: the range asked for is not all there.
      printError("walkit inspect: error: the WAL read ends at \(lastEnd), before the end of the requested range at \(short.upper): "
                 + "no segment \(missing) in \(source)")
      throw ExitCode(ExitStatus.problemsFound)
    }
    if let lastEnd = state.lastEnd, !quiet {
      if let short = shortOfRangeEnd {
        printError("walkit inspect: end of WAL at \(lastEnd), before the end of the requested range at \(short.upper)")
      } else if let limit, state.shown >= limit {
        printError("walkit inspect: stopped after \(counted(limit, "record")), at \(lastEnd)")
      } else if let range, range.upperBound != LSN(.max) {
        printError("walkit inspect: read through \(lastEnd), the end of the requested range")
      } else {
        printError("walkit inspect: end of WAL at \(lastEnd)")
      }
    }
  }

  /// The segment the reading would have gone on in after `report`'s last one, when that one was
  /// read to its end (complete, or closed by an XLOG SWITCH).
  static func segmentAfter(_ report: VerificationReport) -> SegmentName? {
    guard let last = report.segments.last?.scan, let geometry = last.geometry, let segment = last.segment,
      let timeline = last.lastPageTimeline
    else { return nil }
    switch last.ending {
    case .complete, .switched, .continuesBeyond:
      return SegmentName(timeline: timeline, segment: SegmentNumber(segment.rawValue + 1), geometry: geometry)
    case .stopped:
      return nil
    }
  }

  /// Whether `problem` lies at or past `stop`, where the listing stopped: by its LSN, or
  /// without one, by its segment's start.
  static func liesPast(_ stop: LSN?, _ problem: WALProblem, geometry: WALGeometry?) -> Bool {
    guard let stop else { return false }
    if let lsn = problem.location.lsn { return lsn >= stop }
    guard let geometry, let segment = problem.location.segment?.segment(in: geometry),
      let start = geometry.startLSN(of: segment)
    else { return false }
    return start >= stop
  }

  /// True when what `scan` read goes to `end` or past it: valid WAL through it, or a record
  /// continuing past the segment's end when that end is at or after `end`.
  static func reaches(_ scan: SegmentScan, _ end: LSN) -> Bool {
    if let through = scan.validThrough, through >= end { return true }
    guard case .continuesBeyond = scan.ending, let geometry = scan.geometry, let segment = scan.segment,
      let segmentEnd = geometry.startLSN(of: segment)?.advanced(by: geometry.segmentSize)
    else { return false }
    return segmentEnd >= end
  }

  /// True when every problem of a pass is one the last file read shows while it is still being
  /// written or copied: cut short, or valid WAL ending in it with more WAL later.
  static func isStillBeingWritten(_ report: VerificationReport) -> Bool {
    guard let last = report.segments.last else { return false }
    return report.problems.allSatisfy { problem in
      problem.location.file == last.file.path && [.truncatedFile, .incompleteSegment].contains(problem.kind)
    }
  }

  /// The file or directory to read, the LSN range, and the timeline, from the arguments as
  /// pg_waldump takes them.
  func selection() throws -> (String, Range<LSN>?, TimelineID?) {
    var directory = path
    var timeline = self.timeline
    var lower = startLSN
    var upper = endLSN
    var storedFile: String?
    if let startSegment {
      let (startDirectory, startName) = Self.split(startSegment)
      if directory == nil { directory = startDirectory }
      // A stored object named after its segment (pgBackRest's SEGMENT-SHA1.gz) is read itself:
      // looking its segment up by name in its directory would read another file, or none.
      if case .other = WALFile.classify(fileName: startName), WALFile.storedName(startName).0 != nil, endSegment == nil {
        storedFile = (directory ?? ".") + "/" + startName
      }
      guard let name = SegmentName(fileName: startName.prefix(24)) else {
        throw ValidationError("could not parse segment file name \"\(startName)\"")
      }
      timeline = timeline ?? name.timeline
      let source = directory ?? "."
      let geometry = try Self.geometry(startingWith: startName, in: source, layout: layout)
      guard let segment = name.segment(in: geometry), let first = geometry.startLSN(of: segment) else {
        throw ValidationError("\(startName) is not a segment name for \(WALGeometry.formatSize(geometry.segmentSize)) segments")
      }
      // As pg_waldump: -s must lie in STARTSEG, -e in the last segment named (or at its end).
      if let lower, geometry.segment(containing: lower) != segment {
        throw ValidationError("start WAL location \(lower) is not inside file \"\(startName)\"")
      }
      lower = lower ?? first
      var last = segment
      var lastName = startSegment
      if let endSegment {
        let (_, endName) = Self.split(endSegment)
        guard let end = SegmentName(fileName: endName.prefix(24))?.segment(in: geometry), end >= segment else {
          throw ValidationError("ENDSEG \(endSegment) is not a segment name at or after STARTSEG \(startSegment)")
        }
        last = end
        lastName = endSegment
      }
      let afterLast = geometry.startLSN(of: SegmentNumber(last.rawValue + 1))
      if let upper, geometry.segment(containing: upper) != last && upper != afterLast {
        throw ValidationError("end WAL location \(upper) is not inside file \"\(lastName)\"")
      }
      upper = upper ?? afterLast
    }
    let source = storedFile ?? directory ?? "."
    // A start at or after the end is no usage error to pg_waldump: it finds no record there.
    let start = lower ?? .invalid
    let range = (lower != nil || upper != nil) ? start..<max(start, upper ?? LSN(.max)) : nil
    return (source, range, timeline ?? (startSegment == nil ? nil : TimelineID(1)))
  }

  static func split(_ path: String) -> (String?, String) {
    guard let slash = path.lastIndex(of: "/") else { return (nil, path) }
    return (String(path[..<slash]), String(path[path.index(after: slash)...]))
  }

  /// The segment and page sizes to read segment names with: those the start segment's own
  /// header announces, as pg_waldump reads them (no listing of a directory that may hold
  /// 100,000 files), else those of the first segment `source` holds (a compressed start
  /// segment, a backup tool's repository).
  static func geometry(startingWith startName: String, in source: String, layout: RepositoryLayout?) throws -> WALGeometry {
    if let start = try? WALInputs(paths: [source + "/" + startName], layout: nil),
      let geometry = WALGeometry.announced(by: start.files)
    {
      return geometry
    }
    let inputs = try WALInputs(paths: [source], layout: layout)
    guard !inputs.isEmpty else { throw WALInputs.Error.nothingToRead(in: [source]) }
    guard let geometry = WALGeometry.announced(by: inputs.files) else {
      throw WALInputs.Error(path: source, reason: "no readable WAL segment")
    }
    return geometry
  }
}
