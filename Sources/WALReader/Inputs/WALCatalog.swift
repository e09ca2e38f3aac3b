import WALCore
import WALIO

/// What WAL sources hold, by name: segments (the first source that has a name wins, as
/// recovery tries the archive before pg_wal), `.partial` segments, timeline and backup
/// history files.
public struct WALCatalog: Sendable {
  /// A source directory and what it is.
  public struct Source: Hashable, Sendable {
    public var path: String
    /// A pg_wal (has `archive_status/`) rather than an archive.
    public var isLive: Bool
    /// How its files are kept, and what was found there (`nil` for a file named directly).
    public var repository: Repository?
  }

  public var sources: [Source] = []
  /// The source at `index`, or `nil` for none or an index past the sources (a catalogue filled
  /// by hand may name one it does not hold).
  public func source(_ index: Int?) -> Source? {
    guard let index, sources.indices.contains(index) else { return nil }
    return sources[index]
  }
  /// Complete (non-`.partial`) segments, with the index of the source each comes from.
  public var segments: [SegmentName: (file: WALFile, source: Int)] = [:]
  /// `.partial` segments: never requested by recovery, listed for the report.
  public var partials: [SegmentName: WALFile] = [:]
  /// Parsed timeline history files.
  public var histories: [TimelineID: TimelineHistory] = [:]
  public var historyFiles: [TimelineID: String] = [:]
  /// Backup history files (`<segment>.<offset>.backup`), by that name without a compression
  /// suffix, with the compression the suffix names.
  public var backupFiles: [String: (path: String, compression: Compression?)] = [:]
  /// Files that cannot be used (unreadable histories, entries that are not files).
  public var problems: [WALProblem] = []

  /// An empty catalogue, to be filled by hand.
  init() {}

  /// Lists the sources, in the order recovery would look in them, each directory read as the
  /// layout it has (or `layout`).
  ///
  /// - Throws: ``WALInputs/Error`` when a source is missing or cannot be listed.
  public init(sources paths: [String], layout: RepositoryLayout? = nil) throws(WALInputs.Error) {
    for path in paths {
      let inputs = try WALInputs(paths: [path], layout: layout)
      let index = sources.count
      sources.append(Source(path: path, isLive: inputs.files.first?.isInLiveDirectory ?? false,
                            repository: inputs.repositories.first))
      problems += inputs.problems
      segments.reserveCapacity(segments.count + inputs.files.count)
      for file in inputs.files {
        guard let name = file.name else { continue }
        if file.isPartial {
          if partials[name] == nil { partials[name] = file }
        } else if segments[name] == nil {
          segments[name] = (file, index)
        }
      }
      Self.readHistories(inputs.otherFiles, into: &histories, files: &historyFiles, problems: &problems)
      for other in inputs.otherFiles {
        let fileName = String(other.split(separator: "/").last ?? Substring(other))
        switch WALFile.classify(fileName: fileName) {
        case .backupHistory(let compression):
          let plainName = String(fileName.prefix(40))
          if backupFiles[plainName] == nil { backupFiles[plainName] = (other, compression) }
        default:
          continue
        }
      }
    }
  }

  /// Reads the timeline history files among `paths` (the first of each timeline wins; later
  /// ones are skipped): parsed into `histories`, every one's path into `files`, and why one
  /// cannot be used into `problems`.
  static func readHistories(_ paths: [String], into histories: inout [TimelineID: TimelineHistory],
                            files: inout [TimelineID: String], problems: inout [WALProblem])
  {
    for path in paths {
      let fileName = String(path.split(separator: "/").last ?? Substring(path))
      guard case .timelineHistory(let timeline, let compression) = WALFile.classify(fileName: fileName),
        histories[timeline] == nil, files[timeline] == nil
      else { continue }
      files[timeline] = path
      do {
        let text = try readText(path, named: compression)
        do {
          histories[timeline] = try TimelineHistory(timeline: timeline, text: text)
        } catch {
          problems.append(WALProblem(.unreadableFile,
            "timeline history \(fileName) cannot be used, \(error); PostgreSQL refuses it too", at: WALLocation(file: path)))
        }
      } catch {
        problems.append(error)
      }
    }
  }

  /// Timelines that have segments, in order.
  public var segmentTimelines: [TimelineID] { Array(Set(segments.keys.map(\.timeline))).sorted() }

  /// The geometry of the WAL: the long header of `preferred`'s file when it has one (the
  /// segment a start point names), else the one most of up to 33 segments spread over the
  /// names announce, so that a few stray files of another cluster cannot set it.
  public func geometry(preferring preferred: SegmentName? = nil) -> WALGeometry? {
    if let preferred, let file = segments[preferred]?.file, let geometry = WALGeometry.announced(by: [file]) {
      return geometry
    }
    let names = segments.keys.sorted()
    guard !names.isEmpty else { return nil }
    let sampled = Set((0...32).map { names[$0 * (names.count - 1) / 32] }).sorted()
    var votes: [WALGeometry: Int] = [:]
    var order: [WALGeometry] = []
    for name in sampled {
      guard let geometry = WALGeometry.announced(by: [segments[name]!.file]) else { continue }
      if votes[geometry] == nil { order.append(geometry) }
      votes[geometry, default: 0] += 1
    }
    return order.max { votes[$0]! < votes[$1]! } ?? WALGeometry.announced(by: names.lazy.map { segments[$0]!.file })
  }

  /// The text of a small file (history, backup label), at most 1 MiB.
  static func readText(_ path: String, named: Compression? = nil) throws(WALProblem) -> String {
    let data = try SegmentData.load(path: path, named: named)
    guard data.bytes.count <= 1 << 20 else {
      throw WALProblem(.unexpectedFile, "larger than 1 MiB: not a history or backup label file", at: WALLocation(file: path))
    }
    return String(decoding: data.bytes, as: UTF8.self)
  }

  /// Reads a `backup_label` or `.backup` file.
  ///
  /// - Throws: `unreadable-file` when it cannot be read or has no start location.
  public static func backupLabel(at path: String, named compression: Compression? = nil) throws(WALProblem) -> BackupLabel {
    let text = try readText(path, named: compression)
    do {
      return try BackupLabel(text: text)
    } catch {
      throw WALProblem(.unreadableFile, "not a usable backup label: \(error)", at: WALLocation(file: path))
    }
  }
}
