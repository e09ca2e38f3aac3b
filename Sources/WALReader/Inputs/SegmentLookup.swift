import Synchronization
import WALCore
import WALIO

/// Finds and opens the file of a named segment among listed files, for records that continue
/// from one segment into the next. A full segment is preferred to a `.partial` of the same name.
package struct SegmentLookup: Sendable {
  private let files: [WALFile]
  private let indexByName: [SegmentName: Int]
  /// Newer timelines to look in when a segment is absent from its own, as recovery reads a
  /// switch segment from the new timeline's file (empty unless asked for).
  private let newerTimelines: [TimelineID]
  /// A compressed segment decompressed whole for a record continuing into it, kept for its
  /// own reading; only when files are read in order on one thread.
  private let carried: CarriedSegment?
  /// How plain segments asked to be streamed are read.
  private let readingTrial: ReadingTrial?

  /// - Parameter acrossTimelines: files of one history, at most one per segment: a record
  ///   continues into the same segment of a newer timeline when its own timeline has none.
  /// - Parameter readsInOrder: the files are read one after another on one thread, so the
  ///   compressed segment a record continues into is the next one read: it is decompressed
  ///   whole, once, rather than its start for the continuation and all of it again next.
  /// - Parameter readers: the threads that will read the files, when plain segments asked to
  ///   be streamed may be read the way this machine reads faster, or is guessed to
  ///   (``ReadingTrial``).
  package init(_ files: [WALFile], acrossTimelines: Bool = false, readsInOrder: Bool = false, readers: Int? = nil) {
    self.files = files
    readingTrial = readers.map { ReadingTrial(plainFiles: files.count(where: Self.isTimeable), workers: $0) }
    indexByName = files.indexByName()
    newerTimelines = acrossTimelines ? Array(Set(files.compactMap { $0.name?.timeline })).sorted() : []
    carried = readsInOrder ? CarriedSegment() : nil
  }

  /// The named segment's data, or `nil` when it is absent or unreadable (its own reading
  /// reports why); throws when it changed since it was listed.
  package func data(for name: SegmentName) throws(WALProblem) -> SegmentData? {
    let index = indexByName[name] ?? newerTimelines.lazy.filter { $0 > name.timeline }.compactMap { timeline in
      indexByName[SegmentName(timeline: timeline, logID: name.logID, segmentInLog: name.segmentInLog)]
    }.first
    guard let index else { return nil }
    let file = files[index]
    if file.catalogEntry?.unreadable != nil { return nil }
    if let carried, file.compressionByName != nil,
      let whole = try? SegmentData.load(path: file.path, inflateLimit: SegmentData.announcedSegmentSize, named: file.compressionByName)
    {
      carried.keep(whole, of: file.path)
      return whole
    }
    return try SegmentData.loadFollowing(path: file.path, named: file.compressionByName)
  }

  /// The data ``data(for:)`` kept of the file at `path`, handed over once.
  func takeCarried(_ path: String) -> SegmentData? { carried?.take(path) }

  /// Reads `file` with `scanner`, turning a file that cannot be opened into a scan that says so.
  /// Records continuing past its end are followed into the next segment of the same timeline.
  /// - Parameter access: how a plain file is brought into memory (see
  ///   ``SegmentData/Access``); read whole when there is a `visit`.
  func scan(_ file: WALFile, with scanner: SegmentScanner, access: SegmentData.Access = .read,
            visit: ((WALRecord) -> Void)? = nil) -> SegmentScan
  {
    if let carried = takeCarried(file.path),
      let scan = Self.scanOnce(file, with: scanner, following: data(for:), from: nil, access: .read, visit: visit, loaded: carried)
    {
      return scan
    }
    let reading = reading(file, asked: access, visit: visit)
    let scan = Self.scan(file, with: scanner, following: data(for:), access: reading.access, visit: visit)
    reading.finished(scan)
    return scan
  }

  /// The way chosen to read plain segments asked to be streamed, once it is.
  package var chosenReading: SegmentData.Access? { readingTrial?.chosen }

  /// A plain segment on local disk, which may be read either way and timed.
  private static func isTimeable(_ file: WALFile) -> Bool {
    file.compressionByName == nil && file.object == nil && !file.isPartial && !Storage.isRemote(file.path)
  }

  /// The way to read `file`, asked to be read with `access`: the trial's for a plain segment
  /// asked to be streamed, timed unless its records go to a `visit` (whose work would drown
  /// the difference).
  private func reading(_ file: WALFile, asked access: SegmentData.Access, visit: ((WALRecord) -> Void)?) -> ReadingTrial.Reading {
    guard access == .streamed, let readingTrial, Self.isTimeable(file) else { return .untimed(access) }
    return readingTrial.begin(timed: visit == nil)
  }

  /// Reads `file` with `scanner`, asking `following` for the segments a record continues into.
  /// A mapped or streamed file cut short while it was read is read again, as it is now;
  /// records handed to `visit` cannot be taken back, so a file with `visit` is read whole
  /// (``scanOnce(_:access:with:visit:)`` streams or maps one for a caller that can drop what
  /// its visits gathered).
  package static func scan(_ file: WALFile, with scanner: SegmentScanner, following: (SegmentName) throws(WALProblem) -> SegmentData?,
                   from start: LSN? = nil, access: SegmentData.Access = .read, visit: ((WALRecord) -> Void)? = nil) -> SegmentScan
  {
    // Read whole after a mapped or streamed reading was cut short: a file that keeps failing
    // is then reported unreadable, not read again and again.
    var access = visit == nil ? access : .read
    while true {
      if let scan = scanOnce(file, with: scanner, following: following, from: start, access: access, visit: visit) { return scan }
      access = .read
    }
  }

  /// Reads `file` mapped or streamed, handing its records to `visit`; `nil` when the file was
  /// cut short while it was read (a mapping reads zeros for the pages a file loses; a stream
  /// stops where the file now ends): what `visit` was given must be dropped and the file read
  /// again with ``scan(_:with:access:visit:)``.
  func scanOnce(_ file: WALFile, access: SegmentData.Access, with scanner: SegmentScanner,
                visit: ((WALRecord) -> Void)?) -> SegmentScan?
  {
    let loaded = takeCarried(file.path)
    let reading = loaded == nil ? reading(file, asked: access, visit: visit) : .untimed(.read)
    let scan = Self.scanOnce(file, with: scanner, following: data(for:), from: nil, access: reading.access, visit: visit, loaded: loaded)
    reading.finished(scan)
    return scan
  }

  /// One reading of `file`; `nil` when it was cut short while mapped or streamed.
  static func scanOnce(_ file: WALFile, with scanner: SegmentScanner, following: (SegmentName) throws(WALProblem) -> SegmentData?,
                       from start: LSN?, access: SegmentData.Access, visit: ((WALRecord) -> Void)?,
                       loaded: SegmentData? = nil) -> SegmentScan?
  {
    do throws(WALProblem) {
      if let unreadable = file.catalogEntry?.unreadable { throw unreadable }
      let data: SegmentData
      if let loaded {
        data = loaded
      } else {
        data = try SegmentData.load(path: file.path, inflateLimit: SegmentData.announcedSegmentSize,
                                    named: file.compressionByName, access: access)
      }
      var scan = scanner.scan(data, file: file.path, name: file.name, following: following, from: start, visit: visit)
      // The backup tool's checksum covers the whole file, also what lies past the WAL's end.
      if file.catalogEntry?.sha1 != nil, Codec.sha1.isAvailable { data.readToEnd() }
      if data.isCutShort { return nil }
      scan.problems += storageContradictions(of: file, data: data, scan: scan)
      return scan
    } catch {
      if let completed = file.completedSinceListed {
        return scanOnce(completed, with: scanner, following: following, from: start, access: access, visit: visit)
      }
      var scan = SegmentScan(file: file.path, name: file.name)
      scan.stopProblem = error.located(file: file.path, segment: file.name)
      scan.compression = file.compressionByName ?? .plain
      return scan
    }
  }

  /// What the file's name and its catalogue entry claim that its content contradicts.
  static func storageContradictions(of file: WALFile, data: SegmentData, scan: SegmentScan) -> [WALProblem] {
    let location = storageLocation(of: file, scan: scan)
    var found: [WALProblem] = []
    if let named = file.compressionByName, named != data.compression {
      found.append(WALProblem(.compressionMismatch,
        "the name says \(named) (\(named.suffixes[0])), the content is \(data.compression)", at: location))
    } else if file.hidesCompression(data.compression) {
      found.append(WALProblem(.compressionMismatch,
        "the name has no compression suffix, the content is \(data.compression): PostgreSQL cannot read it as it is (a restore_command that copies it hands the server \(data.compression) bytes)",
        at: location))
    }
    if let entry = file.catalogEntry {
      found += entry.contradictions(of: data, scan: scan, at: location)
    }
    return found
  }

  /// Why the backup tool that catalogues `file` would not hand it to a restore of the cluster
  /// that wrote `scan`'s WAL: the catalogue refuses the file, or records another cluster. The
  /// problem is the one among the scan's own (``storageContradictions(of:data:scan:)``).
  package static func catalogRefusal(of file: WALFile, scan: SegmentScan) -> WALProblem? {
    guard let entry = file.catalogEntry else { return nil }
    return entry.refusal ?? entry.clusterContradictions(of: scan, at: storageLocation(of: file, scan: scan)).first
  }

  private static func storageLocation(of file: WALFile, scan: SegmentScan) -> WALLocation {
    WALLocation(file: file.path, segment: file.name ?? scan.name)
  }
}

/// The one segment ``SegmentLookup`` keeps between a continuation and the segment's own reading.
private final class CarriedSegment: Sendable {
  private let slot = Mutex<(path: String, data: SegmentData)?>(nil)

  func keep(_ data: SegmentData, of path: String) { slot.withLock { $0 = (path, data) } }

  func take(_ path: String) -> SegmentData? {
    slot.withLock { kept in
      guard let found = kept, found.path == path else { return nil }
      kept = nil
      return found.data
    }
  }
}
