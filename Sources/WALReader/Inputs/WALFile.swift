import WALCore
import WALIO

/// A file that holds, or claims to hold, one WAL segment.
public struct WALFile: Hashable, Sendable {
  /// Its path, as given or found in a directory.
  public var path: String
  /// The segment name in the file name; `nil` for a file given by a path whose name is not WAL.
  public var name: SegmentName?
  /// A `.partial` segment: the last, incomplete segment of a timeline (or pg_receivewal's file
  /// in progress).
  public var isPartial: Bool
  /// The compression the file's name claims (`.gz`, `.zst`, `.lz4`, `.bz2`, `.xz`, `.lzma`,
  /// `.br`). The content decides how the file is read; a name that disagrees is reported.
  public var compressionByName: Compression?
  /// The file sits in a `pg_wal` directory (one with `archive_status/`), where the newest
  /// segment may be in progress and later ones recycled.
  public var isInLiveDirectory: Bool
  /// The object's size and ETag as listed, for a file in object storage (`s3://`).
  public var object: RemoteObject?
  /// What a backup tool's catalogue says about the file, checked when it is read.
  public var catalogEntry: CatalogEntry? {
    get { catalogBox?.entry }
    set { catalogBox = newValue.map(CatalogBox.init) }
  }
  /// Held by reference: most files have no entry, and listings copy and sort files by the
  /// hundred thousand.
  private var catalogBox: CatalogBox?

  public init(path: String, name: SegmentName?, isPartial: Bool = false, compressionByName: Compression? = nil,
              isInLiveDirectory: Bool = false, catalogEntry: CatalogEntry? = nil, object: RemoteObject? = nil) {
    self.path = path
    self.name = name
    self.isPartial = isPartial
    self.compressionByName = compressionByName
    self.isInLiveDirectory = isInLiveDirectory
    self.catalogBox = catalogEntry.map(CatalogBox.init)
    self.object = object
  }

  /// For a `.partial` gone since it was listed, the file it became when pg_receivewal finished
  /// the segment and renamed it (the name without `.partial`), if that is there now.
  package var completedSinceListed: WALFile? {
    guard isPartial, path.hasSuffix(".partial"), object == nil, !Storage.isRegularFile(path) else { return nil }
    let completed = String(path.dropLast(".partial".count))
    guard Storage.isRegularFile(completed) else { return nil }
    var file = self
    file.path = completed
    file.isPartial = false
    return file
  }

  /// True when `content` is compressed but the name is a plain segment name and no backup tool's
  /// catalogue manages the file: a restore_command that copies it hands the server compressed
  /// bytes. (Barman's get-wal decompresses by content, hence the catalogue's exception.)
  package func hidesCompression(_ content: Compression) -> Bool {
    compressionByName == nil && content != .plain && catalogEntry == nil
  }

  /// The segment and compression a stored file's name gives, other than a segment file's own
  /// name: pgBackRest's `SEGMENT-SHA1[.ext]`, or any name with a compression suffix.
  public static func storedName(_ fileName: String) -> (SegmentName?, Compression?) {
    var stem = Substring(fileName)
    var compression: Compression?
    if let dot = stem.lastIndex(of: "."), let named = Compression(suffix: stem[dot...]) {
      compression = named
      stem = stem[..<dot]
    }
    guard stem.utf8.count == 65, stem.utf8[stem.utf8.index(stem.utf8.startIndex, offsetBy: 24)] == UInt8(ascii: "-"),
      stem.utf8.suffix(40).allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
    else { return (nil, compression) }
    return (SegmentName(fileName: stem.prefix(24)), compression)
  }

  /// What a file name in a WAL directory says the file is.
  public enum NameKind: Equatable, Sendable {
    case segment(SegmentName, partial: Bool, compression: Compression?)
    /// `TTTTTTTT.history`
    case timelineHistory(TimelineID, compression: Compression?)
    /// `<segment>.<offset>.backup`
    case backupHistory(compression: Compression?)
    case other
  }

  /// Classifies a file name the way PostgreSQL, archive commands and backup tools write them:
  /// a segment, `.partial`, history or backup file name, with a compression suffix before or
  /// after `.partial`.
  public static func classify(fileName: String) -> NameKind {
    if fileName.utf8.count == 24 {
      return SegmentName(fileName: fileName).map { .segment($0, partial: false, compression: nil) } ?? .other
    }
    var stem = Substring(fileName)
    var partial = false
    var compression: Compression?
    if stem.hasSuffix(".partial") { partial = true; stem = stem.dropLast(8) }
    if let dot = stem.lastIndex(of: "."), let named = Compression(suffix: stem[dot...]) {
      compression = named
      stem = stem[..<dot]
    }
    if !partial, stem.hasSuffix(".partial") { partial = true; stem = stem.dropLast(8) }
    let utf8 = stem.utf8
    if utf8.count == 24, let name = SegmentName(fileName: stem) {
      return .segment(name, partial: partial, compression: compression)
    }
    guard !partial else { return .other }
    if utf8.count == 40, stem.hasSuffix(".backup"), SegmentName(fileName: stem.prefix(24)) != nil,
      stem.dropFirst(24).hasPrefix("."), SegmentName.hex32(Array(utf8)[25..<33]) != nil
    {
      return .backupHistory(compression: compression)
    }
    if utf8.count == 16, stem.hasSuffix(".history"), let tli = SegmentName.hex32(Array(utf8)[0..<8]) {
      return .timelineHistory(TimelineID(tli), compression: compression)
    }
    return .other
  }
}

extension Collection where Element == WALFile, Index == Int {
  /// For each segment name, the index of the file that stands for it: a full segment rather
  /// than a `.partial` of the same name, else the first listed.
  package func indexByName() -> [SegmentName: Int] {
    var chosen: [SegmentName: Int] = [:]
    for index in indices {
      guard let name = self[index].name else { continue }
      if let existing = chosen[name], !self[existing].isPartial { continue }
      chosen[name] = index
    }
    return chosen
  }
}

