import ArgumentParser
import FoundationEssentials
import WALKit

extension Walkit {
  struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "inspect",
      abstract: "List WAL records like pg_waldump, or their statistics, for every version from 10 to 18.",
      discussion: """
        Options follow pg_waldump's. STARTSEG and ENDSEG name segment files (a directory part sets the path); -s and -e take LSNs. Without a start, reading starts at the first segment of the timeline. Reaching the clean end of WAL is not an error: the end LSN goes to standard error and the exit status is 0. Damage is reported with its location and exit status 1.

        \(ExitStatus.helpText)
        """)

    @Argument(help: "First segment file to read.") var startSegment: String?
    @Argument(help: "Last segment file to read.") var endSegment: String?

    @Option(name: [.short, .customLong("path")], help: "Directory (archive, pg_wal) or file to read.") var path: String?
    @Option(name: [.short, .customLong("start")], help: "Start reading at the first record at or after this LSN.") var start: String?
    @Option(name: [.short, .customLong("end")], help: "Stop reading at this LSN.") var end: String?
    @Option(name: [.short, .customLong("timeline")], help: "Timeline to read (default: STARTSEG's; else the history recovery follows: the newest timeline with a .history file and its ancestors up to each switch).") var timeline: UInt32?
    @Option(name: [.customShort("n"), .customLong("limit")], help: "Stop after this many records.") var limit: Int?
    @Option(name: [.short, .customLong("rmgr")], help: "Only records of this resource manager (repeatable; 'list' lists them).")
    var rmgr: [String] = []
    @Option(name: [.short, .customLong("xid")], help: "Only records of this transaction.") var xid: UInt32?
    @Option(name: [.customShort("R"), .customLong("relation")], help: "Only records touching relation T/D/R.") var relation: String?
    @Option(name: [.customShort("B"), .customLong("block")], help: "Only records touching this block (needs -R).") var block: UInt32?
    @Option(name: [.customShort("F"), .customLong("fork")], help: "Only records touching this fork: main, fsm, vm, init.") var fork: String?
    @Flag(name: [.customShort("w"), .customLong("fullpage")], help: "Only records with a full-page image.") var fullpage = false
    @Flag(name: [.short, .customLong("bkp-details")], help: "Show block references in detail, one line each.") var bkpDetails = false
    @Flag(name: [.customShort("z"), .customLong("stats")], help: "Show statistics per resource manager instead of records.")
    var stats = false
    @Flag(name: .customLong("stats-per-record"), help: "Show statistics per record type (also spelled --stats=record).")
    var statsPerRecord = false
    @Flag(name: .long, help: "Write JSON: one object per record per line, or one document for statistics.") var json = false
    @Flag(name: [.short, .customLong("quiet")], help: "Print nothing but errors, as pg_waldump -q: check the records only.")
    var quiet = false
    @Flag(name: [.customShort("V"), .customLong("version")], help: "Print walkit's version and what it was built with.")
    var version = false
    @Flag(name: [.short, .customLong("follow")], help: "At the end of WAL, keep waiting for new records and segments, like tail -f; stop with Ctrl-C.")
    var follow = false
    @Flag(name: .customLong("keep-going"), help: "After damage, report it and go on at the next record boundary a later page gives.")
    var keepGoing = false
    @Option(name: .customLong("save-fullpage"), help: "Write each full-page image, restored, as a page file into this new or empty directory.")
    var saveFullpage: String?
    @OptionGroup var layoutOptions: LayoutOptions

    static let forks: [String: ForkNumber] = ["main": .main, "fsm": .freeSpaceMap, "vm": .visibilityMap, "init": .initialization]

    func validate() throws {
      if let start, LSN(start) == nil { throw ValidationError("could not parse start WAL location \"\(start)\"") }
      if let end, LSN(end) == nil { throw ValidationError("could not parse end WAL location \"\(end)\"") }
      if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
      if let relation, Self.parseRelation(relation) == nil {
        throw ValidationError("could not parse valid relation from \"\(relation)\" (expecting \"tablespace OID/database OID/relation filenode\")")
      }
      if block != nil && relation == nil { throw ValidationError("option -B/--block requires option -R/--relation to be specified") }
      if let fork, Self.forks[fork] == nil { throw ValidationError("could not parse fork \"\(fork)\"") }
      for name in rmgr where name != "list" && ResourceManager.named(name) == nil {
        throw ValidationError("resource manager \"\(name)\" does not exist")
      }
    }

    static func parseRelation(_ text: String) -> RelFileLocator? {
      let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { UInt32($0) }
      guard parts.count == 3, let tablespace = parts[0], let database = parts[1], let relation = parts[2] else { return nil }
      return RelFileLocator(tablespace: tablespace, database: database, relation: relation)
    }

    func run() throws {
      if version {
        print(Walkit.versionText, terminator: "")
        return
      }
      if rmgr.contains("list") {
        for manager in ResourceManager.builtIn { print(manager.name) }
        return
      }
      let (source, range, readTimeline): (String, Range<LSN>?, TimelineID?)
      do { (source, range, readTimeline) = try selection() } catch let error as WALInputs.Error {
        printError("walkit inspect: \(error.description)")
        throw ExitCode(ExitStatus.couldNotFinish)
      }
      let filter = RecordFilter(
        resourceManagers: rmgr.isEmpty ? nil : Set(rmgr.compactMap { ResourceManager.named($0)?.id }),
        xid: xid, relation: relation.flatMap(Self.parseRelation), block: block, fork: fork.flatMap { Self.forks[$0] },
        fullPageImagesOnly: fullpage)
      let pages: FullPageWriter?
      do { pages = try saveFullpage.map(FullPageWriter.init(directory:)) } catch let error as FileSystemError {
        printError("walkit inspect: \(error)")
        throw ExitCode(ExitStatus.couldNotFinish)
      }
      // Option values are read once: ArgumentParser's property wrappers are slow to read per record.
      let (wantsStatistics, perRecord, wantsJSON, limit, follow, keepGoing, quiet) =
        (stats || statsPerRecord || quiet, statsPerRecord, json, self.limit, self.follow, self.keepGoing, self.quiet)
      // Times in record lines as pg_waldump prints them, in the local time zone (TZ); JSON
      // keeps UTC.
      TimestampText.usesLocalTime = !wantsJSON
      let printer = RecordPrinter(
        filter: filter,
        form: wantsStatistics ? .statistics : wantsJSON ? .json : bkpDetails ? .lineWithBlockDetails : .line)
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
      while true {
        let endBeforePass = state.lastEnd
        // Following, a later pass must go on from the record the last pass ended with.
        var joinsLastPass = isLaterPass
        isLaterPass = follow
        var inputs: WALInputs
        do { inputs = try WALInputs(paths: [source], layout: layoutOptions.repositoryLayout) } catch {
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
          if let missing = InspectStart.whatIsMissing(in: inputs, source: source, startSegment: startSegment,
                                                      timeline: readTimeline) {
            printError("walkit inspect: \(missing)")
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
                start.announce(firstRecord: first, version: version, to: output, json: wantsJSON)
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
              start.announce(firstRecord: record.lsn, version: record.version, to: output, json: wantsJSON)
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
          problems += report.problems
        }
        resumptions += report.segments.flatMap(\.scan.resumptions)
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
        let statistics = state.statistics ?? WALStatistics()
        output.write(wantsJSON ? JSONOutput.encode(StatsJSON(statistics, perRecord: perRecord)) + "\n"
                               : InspectText.statistics(statistics, perRecord: perRecord))
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
        if wantsJSON && !wantsStatistics { output.write(JSONOutput.encode(ResumptionJSON(resumption), pretty: false) + "\n") }
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
      if let lastEnd = state.lastEnd, !quiet {
        if let limit, state.shown >= limit {
          printError("walkit inspect: stopped after \(counted(limit, "record")), at \(lastEnd)")
        } else if let range, range.upperBound != LSN(.max) {
          printError("walkit inspect: read through \(lastEnd), the end of the requested range")
        } else {
          printError("walkit inspect: end of WAL at \(lastEnd)")
        }
      }
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
      var timeline = self.timeline.map { TimelineID($0) }
      var lower = start.flatMap(LSN.init)
      var upper = end.flatMap(LSN.init)
      if let startSegment {
        let (startDirectory, startName) = Self.split(startSegment)
        if directory == nil { directory = startDirectory }
        guard let name = SegmentName(fileName: startName.prefix(24)) else {
          throw ValidationError("could not parse segment file name \"\(startName)\"")
        }
        timeline = timeline ?? name.timeline
        let source = directory ?? "."
        let geometry = try Self.geometry(source, layout: layoutOptions.repositoryLayout)
        guard let segment = name.segment(in: geometry), let first = geometry.startLSN(of: segment) else {
          throw ValidationError("\(startName) is not a segment name for \(WALGeometry.formatSize(geometry.segmentSize)) segments")
        }
        lower = lower ?? first
        var last = segment
        if let endSegment {
          let (_, endName) = Self.split(endSegment)
          guard let end = SegmentName(fileName: endName.prefix(24))?.segment(in: geometry), end >= segment else {
            throw ValidationError("ENDSEG \(endSegment) is not a segment name at or after STARTSEG \(startSegment)")
          }
          last = end
        }
        upper = upper ?? geometry.startLSN(of: SegmentNumber(last.rawValue + 1))
      }
      let source = directory ?? "."
      if let lower, let upper, lower >= upper {
        throw ValidationError(startSegment == nil
          ? "start WAL location \(lower) is not before end WAL location \(upper)"
          : "start WAL location \(lower) is not inside the segments \(startSegment!)\(endSegment.map { " to \($0)" } ?? "")")
      }
      let range = (lower != nil || upper != nil) ? (lower ?? .invalid)..<(upper ?? LSN(.max)) : nil
      return (source, range, timeline ?? (startSegment == nil ? nil : TimelineID(1)))
    }

    static func split(_ path: String) -> (String?, String) {
      guard let slash = path.lastIndex(of: "/") else { return (nil, path) }
      return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }

    static func geometry(_ source: String, layout: RepositoryLayout?) throws -> WALGeometry {
      let inputs = try WALInputs(paths: [source], layout: layout)
      guard !inputs.isEmpty else { throw WALInputs.Error.nothingToRead(in: [source]) }
      guard let geometry = WALGeometry.announced(by: inputs.files) else {
        throw WALInputs.Error(path: source, reason: "no readable WAL segment")
      }
      return geometry
    }
  }
}
