/// A file that holds, or claims to hold, one WAL segment.
public struct WALFile: Hashable, Sendable {
  /// Its path, as given or found in a directory.
  public var path: String
  /// The segment name in the file name; `nil` for a file given by a path whose name is not WAL.
  public var name: SegmentName?
  /// A `.partial` segment: the last, incomplete segment of a timeline (or pg_receivewal's file
  /// in progress).
  public var isPartial: Bool
  /// The name says the file is compressed (`.gz`). Content is detected by magic bytes anyway.
  public var isCompressedByName: Bool
  /// The file sits in a `pg_wal` directory (one with `archive_status/`), where the newest
  /// segment may be in progress and later ones recycled.
  public var isInLiveDirectory: Bool

  public init(path: String, name: SegmentName?, isPartial: Bool = false, isCompressedByName: Bool = false,
              isInLiveDirectory: Bool = false) {
    self.path = path
    self.name = name
    self.isPartial = isPartial
    self.isCompressedByName = isCompressedByName
    self.isInLiveDirectory = isInLiveDirectory
  }

  /// What a file name in a WAL directory says the file is.
  public enum NameKind: Equatable, Sendable {
    case segment(SegmentName, partial: Bool, compressed: Bool)
    /// `TTTTTTTT.history`
    case timelineHistory(TimelineID)
    /// `<segment>.<offset>.backup`
    case backupHistory
    case other
  }

  /// Classifies a file name the way PostgreSQL and common archive commands write them.
  public static func classify(fileName: String) -> NameKind {
    let utf8 = fileName.utf8
    guard utf8.count >= 8 else { return .other }
    if utf8.count >= 24, let name = SegmentName(fileName: fileName.prefix(24)) {
      switch fileName.dropFirst(24) {
      case "": return .segment(name, partial: false, compressed: false)
      case ".partial": return .segment(name, partial: true, compressed: false)
      case ".gz": return .segment(name, partial: false, compressed: true)
      case ".partial.gz", ".gz.partial": return .segment(name, partial: true, compressed: true)
      default:
        let rest = fileName.dropFirst(24)
        if rest.count == 16, rest.hasPrefix("."), rest.hasSuffix(".backup"),
          SegmentName.hex32(Array(rest.utf8)[1..<9]) != nil
        {
          return .backupHistory
        }
        return .other
      }
    }
    if utf8.count == 16, fileName.hasSuffix(".history"), let tli = SegmentName.hex32(Array(utf8)[0..<8]) {
      return .timelineHistory(TimelineID(tli))
    }
    return .other
  }
}

extension Collection where Element == WALFile, Index == Int {
  /// For each segment name, the index of the file that stands for it: a full segment rather
  /// than a `.partial` of the same name, else the first listed.
  func indexByName() -> [SegmentName: Int] {
    var chosen: [SegmentName: Int] = [:]
    for index in indices {
      guard let name = self[index].name else { continue }
      if let existing = chosen[name], !self[existing].isPartial { continue }
      chosen[name] = index
    }
    return chosen
  }
}

