import WALCore
import WALIO

/// A run of records read on one thread: a whole file, or a part of a segment split at record
/// boundaries (so that a lone segment can be read on every core).
struct Piece: @unchecked Sendable {
  var file: Int
  var part = 0
  var parts = 1
  /// The segment's bytes, mapped or read once for all its parts.
  var data: SegmentData?
  var start: LSN?
  var end: LSN?
  /// How a whole file is read: mapped or streamed (its records' chunk dropped if it is cut
  /// short meanwhile), or read whole when it is being read again after that.
  var access = SegmentData.Access.mapped

  /// Whole files, read with `access`, when there are at least as many as workers; else each
  /// segment in `workers` parts, when it splits, brought into memory once for all of them with
  /// `splitAccess`.
  static func cut(_ files: [WALFile], workers: Int, access: SegmentData.Access = .mapped,
                  splitAccess: SegmentData.Access = .mapped) -> [Piece] {
    guard files.count < workers else { return files.indices.map { Piece(file: $0, access: access) } }
    let scanner = SegmentScanner()
    return files.indices.flatMap { index -> [Piece] in
      let file = files[index]
      guard let data = try? SegmentData.load(path: file.path, inflateLimit: SegmentData.announcedSegmentSize,
                                             named: file.compressionByName, access: splitAccess)
      else { return [Piece(file: index, access: access)] }
      let points = scanner.splitPoints(data, file: file.path, name: file.name, parts: workers)
      let bounds: [LSN?] = [nil] + points + [nil]
      return (0...points.count).map { part in
        Piece(file: index, part: part, parts: points.count + 1, data: data, start: bounds[part], end: bounds[part + 1])
      }
    }
  }

  /// Reads the piece's records with `scanner`, handing each to `visit`; `nil` when the file
  /// was cut short while mapped or streamed: read it again whole.
  func scan(_ files: [WALFile], lookup: SegmentLookup, with scanner: SegmentScanner,
            visit: ((WALRecord) -> Void)?) -> SegmentScan?
  {
    let file = files[self.file]
    guard let data else {
      return access == .read ? lookup.scan(file, with: scanner, visit: visit)
        : lookup.scanOnce(file, access: access, with: scanner, visit: visit)
    }
    var scan = scanner.scan(data, file: file.path, name: file.name, following: lookup.data(for:), from: start, until: end, visit: visit)
    if part == 0 { scan.problems += SegmentLookup.storageContradictions(of: file, data: data, scan: scan) }
    return data.isCutShort ? nil : scan
  }

  /// The scan of a whole segment from the scans of its `parts`; `nil` when they do not join:
  /// a part must be read again (``scan(_:lookup:with:visit:)``), stopped short of its end, or
  /// the next part's first record does not point back to this part's last.
  static func join(_ partScans: [SegmentScan?], of parts: ArraySlice<Piece>) -> SegmentScan? {
    let scans = partScans.compactMap { $0 }
    guard scans.count == partScans.count, var joined = scans.first else { return nil }
    let ends = parts.compactMap(\.end)
    for (index, later) in scans.dropFirst().enumerated() {
      guard joined.ending == .complete(nextRecord: ends[index]), joined.stopProblem == nil,
        joined.problems.allSatisfy(\.kind.isAboutStorage), let last = joined.lastRecord,
        later.firstRecordPrevious == last
      else { return nil }
      joined.recordCount += later.recordCount
      joined.lastRecord = later.lastRecord ?? joined.lastRecord
      joined.validThrough = later.validThrough
      joined.ending = later.ending
      joined.stopProblem = later.stopProblem
      joined.endOfWALSignature = later.endOfWALSignature
      joined.problems += later.problems
      joined.resumptions += later.resumptions
      joined.lastPageTimeline = later.lastPageTimeline
    }
    return joined
  }
}
