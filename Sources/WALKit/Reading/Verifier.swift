import Synchronization

/// Verifies WAL files: every page header and record of each segment, then what only a set of
/// segments shows — gaps, continuity across segment boundaries, files from another cluster —
/// and where valid WAL legitimately ends.
///
/// With no more files than workers, each file is mapped rather than read (see
/// ``SegmentData/load(path:inflateLimit:prefix:named:mapped:)``).
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
    return VerificationReport(inputs: inputs, scans: scanAll(files))
  }

  private func scanAll(_ files: [WALFile]) -> [SegmentScan] {
    let lookup = SegmentLookup(files)
    let done = Atomic<Int>(0)
    let progress = self.progress
    // A worker with one file never reuses a buffer: mapping spares it the faults of new memory.
    let mapped = files.count <= (jobs > 0 ? jobs : Syscalls.processorCount)
    return parallelMap(count: files.count, workers: jobs, context: { SegmentScanner() }) { index, scanner in
      let scan = lookup.scan(files[index], with: scanner, mapped: mapped)
      let finished = done.add(1, ordering: .relaxed).newValue
      progress?(finished, files.count)
      return scan
    }.map { $0! }
  }
}

extension SegmentData {
  /// The segment size a file's long header announces, when it looks like a WAL long header;
  /// else 16 MiB. Bounds how far a compressed file may inflate.
  @Sendable public static func announcedSegmentSize(_ head: SegmentData) -> UInt64 {
    announcedSegmentSize(in: head.bytes)
  }
}
