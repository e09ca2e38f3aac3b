import Synchronization
import WALCore
import WALIO

/// Verifies WAL files: every page header and record of each segment, then what only a set of
/// segments shows — gaps, continuity across segment boundaries, files from another cluster —
/// and where valid WAL legitimately ends.
///
/// With fewer files than workers, each segment is cut at record boundaries and its parts are
/// checked at once: a plain segment alone is first read by every worker at once, or mapped
/// where the processor suggests it (Intel's); several are mapped (one buffer each would weigh
/// on memory on many cores). Otherwise each file is streamed, read a piece at a time as its
/// records are checked, or mapped: a run over 32 plain segments or more times both ways on its
/// first ones and reads the rest the faster way, a shorter one goes the processor's way (see
/// ``SegmentData/Access``, and `WALKIT_READING` in walkit(1)).
public struct Verifier: Sendable {
  /// Files read at once; 0 means one per processor.
  public var jobs: Int
  /// Called after each file with (files done, files in all), from worker threads.
  public var progress: (@Sendable (Int, Int) -> Void)?

  public init(jobs: Int = 0, progress: (@Sendable (Int, Int) -> Void)? = nil) {
    self.jobs = jobs
    self.progress = progress
  }

  /// Lists and verifies `paths` (segment files, compressed or `.partial` segments, directories
  /// and backup tools' repositories, read as `layout` or the layout found).
  ///
  /// - Throws: ``WALInputs/Error`` when a named path is missing or cannot be listed.
  public func verify(paths: [String], layout: RepositoryLayout? = nil) throws(WALInputs.Error) -> VerificationReport {
    verify(try WALInputs(paths: paths, layout: layout))
  }

  /// Verifies files already listed.
  public func verify(_ inputs: WALInputs) -> VerificationReport {
    let files = inputs.files
    var reports = RemoteReadAhead.around(files.map(\.path)) { scanAll(files) }
    rereadOvertaken(&reports)
    rereadTorn(&reports)
    return VerificationReport(inputs: inputs, reports: reports)
  }

  /// How often a segment of a live `pg_wal` whose reading stopped at damage is read again.
  static let tornRereads = 3

  /// Reads again the segments of a live `pg_wal` whose reading stopped at damage: the server
  /// may have been writing the record read (a page copied while it changes reads torn, its CRC
  /// wrong). By the next reading the record is whole, and the reading goes on past it; damage
  /// that is there is found again at the same place, and stays reported.
  private func rereadTorn(_ reports: inout [SegmentReport]) {
    // A stop that looks like the end of WAL (zeros, a recycled file's stale page) is not
    // damage, and is left to ``rereadOvertaken(_:)``.
    let suspect = reports.indices.filter { index in
      let scan = reports[index].scan
      guard reports[index].file.isInLiveDirectory, case .stopped = scan.ending, scan.endOfWALSignature == nil else { return false }
      return scan.stopProblem?.severity == .problem
    }
    guard !suspect.isEmpty else { return }
    let files = reports.map(\.file)
    let lookup = SegmentLookup(files, readsInOrder: true, readers: 1)
    let scanner = SegmentScanner()
    for index in suspect {
      for _ in 0..<Self.tornRereads {
        let before = reports[index].scan.stopProblem
        let again = lookup.scan(files[index], with: scanner, access: .read)
        reports[index] = SegmentReport(file: files[index], scan: again)
        guard let after = again.stopProblem, after.severity == .problem, again.endOfWALSignature == nil, after != before else { break }
      }
    }
  }

  /// Reads again the segments of a live `pg_wal` that were read while the server was writing
  /// them: their WAL stops early, yet a later segment of their timeline, read after them, holds
  /// WAL, which the server writes only once they are full. What is wrong stays wrong on the
  /// second reading.
  private func rereadOvertaken(_ reports: inout [SegmentReport]) {
    var newestWithWAL: [TimelineID: SegmentNumber] = [:]
    for report in reports where report.scan.holdsOwnWAL {
      guard let timeline = report.name?.timeline, let segment = report.scan.segment else { continue }
      newestWithWAL[timeline] = max(newestWithWAL[timeline] ?? segment, segment)
    }
    let overtaken = reports.indices.filter { index in
      let report = reports[index], scan = report.scan
      guard report.file.isInLiveDirectory, case .stopped = scan.ending, scan.endOfWALSignature != nil,
        let timeline = report.name?.timeline, let segment = scan.segment, let newest = newestWithWAL[timeline]
      else { return false }
      return newest > segment
    }
    guard !overtaken.isEmpty else { return }
    let files = reports.map(\.file)
    let lookup = SegmentLookup(files, readsInOrder: true, readers: 1)
    let scanner = SegmentScanner()
    for index in overtaken {
      reports[index] = SegmentReport(file: files[index], scan: lookup.scan(files[index], with: scanner, access: .streamed))
    }
  }

  /// Each file's report as its scan leaves it, made in place: one array however many files.
  private func scanAll(_ files: [WALFile]) -> [SegmentReport] {
    let workers = jobs > 0 ? jobs : Syscalls.processorCount
    let lookup = SegmentLookup(files, readsInOrder: min(workers, files.count) == 1, readers: workers)
    if files.count < workers { return scanInParts(files, lookup: lookup, workers: workers) }
    let done = Atomic<Int>(0)
    let progress = self.progress
    return parallelMap(count: files.count, workers: jobs, context: { SegmentScanner() }) { index, scanner in
      let scan = lookup.scan(files[index], with: scanner, access: .streamed)
      let finished = done.add(1, ordering: .relaxed).newValue
      progress?(finished, files.count)
      return SegmentReport(file: files[index], scan: scan)
    }
  }

  /// Fewer files than workers: each segment is cut at record boundaries into parts read at
  /// once; a segment whose parts do not join (damage near a cut, or a mapped file truncated
  /// meanwhile) is read again whole, as one worker reads it.
  private func scanInParts(_ files: [WALFile], lookup: SegmentLookup, workers: Int) -> [SegmentReport] {
    let lone: SegmentData.Access = ReadingTrial.machineGuess == .mapped ? .mapped : .readInParallel(readers: workers)
    let pieces = Piece.cut(files, workers: workers, splitAccess: files.count == 1 ? lone : .mapped)
    let partScans = parallelMap(count: pieces.count, workers: workers, context: { SegmentScanner() }) { index, scanner in
      pieces[index].scan(files, lookup: lookup, with: scanner, visit: nil)
    }
    var reports: [SegmentReport] = []
    var first = 0
    while first < pieces.count {
      let parts = pieces[first..<(first + pieces[first].parts)]
      let file = files[pieces[first].file]
      let scan = Piece.join(Array(partScans[parts.indices]), of: parts) ?? lookup.scan(file, with: SegmentScanner())
      reports.append(SegmentReport(file: file, scan: scan))
      progress?(reports.count, files.count)
      first = parts.endIndex
    }
    return reports
  }
}
