import WALCore
import WALIO

/// Reads the records of WAL files in order, for tools of your own.
///
/// ```swift
/// let stream = try WALStream(paths: ["archive/"])
/// let report = stream.forEachRecord { record in
///   print(record.lsn, record.resourceManager, record.header.totalLength)
/// }
/// ```
public struct WALStream: Sendable {
  public let inputs: WALInputs

  /// Lists `paths` (segment files, compressed or `.partial` segments, directories and backup
  /// tools' repositories, read as `layout` or the layout found).
  ///
  /// - Throws: ``WALInputs/Error`` when a named path is missing or cannot be listed.
  public init(paths: [String], layout: RepositoryLayout? = nil) throws(WALInputs.Error) {
    inputs = try WALInputs(paths: paths, layout: layout)
  }

  public init(_ inputs: WALInputs) { self.inputs = inputs }

  /// The timelines the file names show, in order.
  public var timelines: [TimelineID] { Array(Set(inputs.files.compactMap { $0.name?.timeline })).sorted() }

  /// Calls `body` with every valid record in segment order, following one history as recovery
  /// does (``followedHistory``), or only the records of `timeline`; returns what verification
  /// of the same files reports. The record's bytes
  /// are valid only during the call.
  ///
  /// A `.partial` segment is read only when no complete segment of the same name is present.
  /// Reading goes on past damage: after a bad record, the next record read is the first one
  /// that starts in the next segment.
  public func forEachRecord(timeline: TimelineID? = nil, _ body: (WALRecord) -> Void) -> VerificationReport {
    forEachRecord(timeline: timeline, in: nil, body)
  }

  /// Calls `body` with every valid record that starts at or after `range.lowerBound` and ends
  /// by `range.upperBound`, reading only the segments the range touches, until `body` returns
  /// false (at the end of the segment being read).
  ///
  /// - Parameter damage: what to do after damage: stop there (`.stop`), or go on at the next
  ///   record boundary a later page header gives (`.resynchronize`). By default, reading goes on
  ///   with the next segment.
  /// - Parameter headersOnly: records that cross pages come with their headers and block
  ///   references only (``WALRecord/hasAllBytes`` is false): enough for statistics and filters.
  /// - Parameter endOfWALStops: stop at the first place valid WAL ends (a segment not written
  ///   to its end, or a record continuing into a segment not there yet), as a reader following
  ///   a live server must: what later files hold was read at another moment than the end it
  ///   stopped at, so reading them could skip the records written in between.
  public func forEachRecord(timeline: TimelineID? = nil, in range: Range<LSN>?, afterDamage damage: DamageHandling = .nextSegment,
                            headersOnly: Bool = false, endOfWALStops: Bool = false,
                            _ body: (WALRecord) -> Bool) -> VerificationReport
  {
    var keepGoing = true
    return forEachRecord(timeline: timeline, in: range, afterDamage: damage, headersOnly: headersOnly,
                         endOfWALStops: endOfWALStops) { (record: WALRecord) -> Void in
      if keepGoing { keepGoing = body(record) }
    } stopWhen: { !keepGoing }
  }

  /// How reading goes on after a damaged record.
  public enum DamageHandling: Sendable {
    /// Stop reading.
    case stop
    /// Go on with the next segment.
    case nextSegment
    /// Go on at the next record boundary a later page header of the same segment gives.
    case resynchronize
  }

  private func forEachRecord(timeline: TimelineID?, in range: Range<LSN>?, afterDamage damage: DamageHandling = .nextSegment,
                             headersOnly: Bool = false, endOfWALStops: Bool = false, _ body: (WALRecord) -> Void,
                             stopWhen: () -> Bool = { false }) -> VerificationReport
  {
    var selected = selection(timeline: timeline, in: range)
    let lookup = SegmentLookup(selected.files, acrossTimelines: timeline == nil, readsInOrder: true)
    let scanner = SegmentScanner()
    scanner.resynchronizes = damage == .resynchronize
    scanner.deliversHeadersOnly = headersOnly
    var scans: [SegmentScan] = []
    withoutActuallyEscaping(body) { body in
      RemoteReadAhead.around(selected.files.map(\.path)) {
        for file in selected.files {
          if stopWhen() { break }
          let scan = lookup.scan(file, with: scanner, visit: { record in
            if let range, record.lsn < range.lowerBound || record.end > range.upperBound { return }
            body(record)
          })
          scans.append(scan)
          if damage == .stop && scan.isDamaged || endOfWALStops && scan.endsWALEarly { break }
        }
      }
    }
    selected.files = Array(selected.files.prefix(scans.count))
    return VerificationReport(inputs: selected, scans: scans, checksHistories: false)
  }

  /// Reads segments on `jobs` threads (0: one per processor): `visit` gathers the records of
  /// one segment into a `Chunk` made for it (on a worker thread), and `deliver` receives the
  /// chunks on the calling thread in the order ``forEachRecord(timeline:in:afterDamage:headersOnly:_:)``
  /// reads the segments. With fewer segments than threads, a segment is split at record
  /// boundaries and its parts are read at once (one chunk each, delivered in order; the segment
  /// is mapped); whole segments are streamed, or mapped where the processor suggests it (Intel's;
  /// see `WALKIT_READING` in walkit(1)), those over 64 MB mapped (``SegmentData/Access``).
  /// Reading stops after a damaged segment when `damage` is `.stop`. A few segments are read
  /// ahead of delivery, never more, so memory stays flat.
  ///
  /// When `isWorthDelivering` says so of the chunk of a whole segment being read (it is asked
  /// after each record, with the chunk in place, and must not change it), the chunk is
  /// delivered then and a new one made for the records that follow: a segment's chunks then
  /// come one after another, each with the records after the last, and a chunk that gathers
  /// much (a segment's text) need not be held whole. Nothing is handed on early once the file
  /// is found cut short (``SegmentScanner/readingIsIntact``); the segment is then read again
  /// from the last record handed on.
  public func forEachSegmentInParallel<Chunk: Sendable>(
    timeline: TimelineID? = nil, in range: Range<LSN>?, afterDamage damage: DamageHandling = .nextSegment,
    headersOnly: Bool = false, jobs: Int = 0, makeChunk: @escaping @Sendable () -> Chunk,
    visit: @escaping @Sendable (WALRecord, inout Chunk) -> Void,
    isWorthDelivering: (@Sendable (inout Chunk) -> Bool)? = nil, deliver: (Chunk) -> Void
  ) -> VerificationReport {
    var selected = selection(timeline: timeline, in: range)
    let files = selected.files
    let workers = jobs > 0 ? jobs : Syscalls.processorCount
    let lookup = SegmentLookup(files, acrossTimelines: timeline == nil, readsInOrder: min(workers, files.count) == 1,
                               readers: workers)
    return RemoteReadAhead.around(files.map(\.path)) {
      let pieces = Piece.cut(files, workers: workers, access: .streamed)
      let makeScanner: @Sendable () -> SegmentScanner = {
        let scanner = SegmentScanner()
        scanner.resynchronizes = damage == .resynchronize
        scanner.deliversHeadersOnly = headersOnly
        return scanner
      }
      // Reads `piece`, skipping the records before `skipping` (delivered by an earlier read);
      // hands its chunk on early through `handOn`, when given and asked to.
      let read: @Sendable (Piece, SegmentScanner, LSN?, ((PieceRead<Chunk>) -> Void)?) -> PieceRead<Chunk> = {
        piece, scanner, skipping, handOn in
        // A pointer rather than a captured variable or a generic box: either costs an exclusivity
        // check or a metadata lookup at every record.
        let chunk = UnsafeMutablePointer<Chunk>.allocate(capacity: 1)
        chunk.initialize(to: makeChunk())
        defer { chunk.deallocate() }
        let delivered = UnsafeMutablePointer<LSN?>.allocate(capacity: 1)
        delivered.initialize(to: nil)
        defer { delivered.deallocate() }
        // Once the file is found cut short, nothing more is handed on (nor asked of the file).
        let isCut = UnsafeMutablePointer<Bool>.allocate(capacity: 1)
        isCut.initialize(to: false)
        defer { isCut.deallocate() }
        let isWanted: (WALRecord) -> Bool = { record in
          if let range, record.lsn < range.lowerBound || record.end > range.upperBound { return false }
          if let skipping, record.lsn < skipping { return false }
          return true
        }
        // Unwrapped here, and the chunk handed on wrapped there: an optional of a generic closure
        // type, or a generic struct, is looked up at each use. Without early delivery, nothing
        // is asked per record.
        let take: (WALRecord) -> Void
        if let handOn, let isWorthDelivering {
          take = { record in
            guard isWanted(record) else { return }
            visit(record, &chunk.pointee)
            // Never records of bytes the file no longer holds: once it is cut short, what
            // follows stays in the chunk that its reading again replaces.
            if !isCut.pointee, isWorthDelivering(&chunk.pointee) {
              guard scanner.readingIsIntact else {
                isCut.pointee = true
                return
              }
              handOn(PieceRead(chunk: chunk.move()))
              chunk.initialize(to: makeChunk())
              delivered.pointee = record.end
            }
          }
        } else {
          take = { record in
            if isWanted(record) { visit(record, &chunk.pointee) }
          }
        }
        let scan = piece.scan(files, lookup: lookup, with: scanner, visit: take)
        return PieceRead(scan: scan, chunk: chunk.move(), deliveredBefore: delivered.pointee)
      }
      var scans: [SegmentScan] = []
      var parts: [PieceRead<Chunk>] = []
      orderedParallelMap(count: pieces.count, workers: workers, context: makeScanner) { index, scanner, handOn in
        read(pieces[index], scanner, nil, pieces[index].parts == 1 ? handOn : nil)
      } deliver: { index, result, isFinal in
        guard isFinal else {
          deliver(result.chunk)
          return true
        }
        let piece = pieces[index]
        parts.append(result)
        guard piece.part == piece.parts - 1 else { return true }
        defer { parts.removeAll() }
        let scan: SegmentScan
        if let joined = Piece.join(parts.map(\.scan), of: pieces[(index + 1 - piece.parts)...index]) {
          parts.forEach { deliver($0.chunk) }
          scan = joined
        } else {
          // The parts do not join cleanly (damage near a split point, or the file shrank while
          // mapped or streamed): read the segment whole, as the sequential reading would, after the records
          // already delivered.
          let whole = read(Piece(file: piece.file, access: .read), makeScanner(), result.deliveredBefore, nil)
          deliver(whole.chunk)
          scan = whole.scan!
        }
        scans.append(scan)
        return !(damage == .stop && scan.isDamaged)
      }
      selected.files = Array(files.prefix(scans.count))
      return VerificationReport(inputs: selected, scans: scans, checksHistories: false)
    }
  }

  /// The timeline history followed when no timeline is named, as recovery follows it: the
  /// newest timeline whose history file is among the inputs, with its ancestors up to where
  /// each was left; else the lowest timeline the segments have.
  public var followedHistory: [TimelineHistory.Span] {
    var histories: [TimelineID: TimelineHistory] = [:]
    var files: [TimelineID: String] = [:]
    var problems: [WALProblem] = []
    WALCatalog.readHistories(inputs.otherFiles, into: &histories, files: &files, problems: &problems)
    if let newest = histories.keys.max(), let history = histories[newest] { return history.spans }
    return [TimelineHistory.Span(timeline: timelines.first ?? TimelineID(1), begin: .invalid, end: nil)]
  }

  /// The files to read: those of `timeline` (by default, of the history followed, each
  /// segment from the newest timeline that had begun by it and has a file for it) whose
  /// segments `range` touches, a full segment rather than a `.partial` of the same name.
  private func selection(timeline: TimelineID?, in range: Range<LSN>?) -> WALInputs {
    var selected = inputs
    let chosen = Set(inputs.files.indexByName().values)
    selected.files = inputs.files.indices.filter { index in
      let file = inputs.files[index]
      return (timeline == nil || file.name?.timeline == timeline) && (file.name == nil || chosen.contains(index))
    }.map { inputs.files[$0] }
    // Segment numbers need the geometry: any segment's long header gives it.
    let geometry = WALGeometry.announced(by: selected.files)
    if timeline == nil, let geometry {
      selected.files = Self.following(followedHistory, selected.files, geometry: geometry)
    }
    if let range {
      if let geometry {
        let first = geometry.segment(containing: range.lowerBound)
        let last = geometry.segment(containing: LSN(max(range.upperBound.rawValue, 1) - 1))
        selected.files = selected.files.filter { file in
          guard let segment = file.name?.segment(in: geometry) else { return true }
          return segment >= first && segment <= last
        }
      }
    }
    return selected
  }
}

extension WALStream {
  /// Of `files`, those recovery would read following `spans`: for each segment, the file of
  /// the newest timeline that had begun by that segment and has one. Unnamed files stay.
  static func following(_ spans: [TimelineHistory.Span], _ files: [WALFile], geometry: WALGeometry) -> [WALFile] {
    let present = Set(files.compactMap(\.name))
    let begins = spans.map { (timeline: $0.timeline, segment: geometry.segment(containing: $0.begin)) }
    return files.filter { file in
      guard let name = file.name, let segment = name.segment(in: geometry) else { return true }
      let candidates = begins.filter { $0.segment <= segment }.map(\.timeline)
      let newest = candidates.reversed().first { timeline in
        SegmentName(timeline: timeline, segment: segment, geometry: geometry).map(present.contains) ?? false
      }
      return newest == name.timeline
    }
  }
}

/// What reading a piece gave: its scan (`nil` when it must be read again, see
/// ``Piece/scan(_:lookup:with:visit:)``) and its chunk, or a chunk delivered early; and where
/// the records of the chunks delivered early end.
private struct PieceRead<Chunk: Sendable>: Sendable {
  var scan: SegmentScan?
  var chunk: Chunk
  var deliveredBefore: LSN?

  init(scan: SegmentScan? = nil, chunk: Chunk, deliveredBefore: LSN? = nil) {
    (self.scan, self.chunk, self.deliveredBefore) = (scan, chunk, deliveredBefore)
  }
}

extension SegmentScan {
  /// Reading met damage, not a clean end of WAL (storage and catalogue problems aside).
  var isDamaged: Bool {
    (stopProblem != nil && endOfWALSignature == nil) || !problems.allSatisfy(\.kind.isAboutStorage)
  }

  /// Valid WAL ends inside the segment (what looks like the end of WAL, or a file cut short),
  /// or its last record continues into a segment not there yet.
  var endsWALEarly: Bool {
    switch ending {
    case .complete, .switched: false
    case .continuesBeyond: true
    case .stopped: true
    }
  }
}
