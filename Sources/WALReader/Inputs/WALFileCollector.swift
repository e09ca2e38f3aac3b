import WALCore
import WALIO

/// The files found so far while listing the paths a user named, and the problems of entries
/// that cannot be read as segments. Repositories list their files into it.
struct WALFileCollector {
  var files: [WALFile] = []
  var otherFiles: [String] = []
  var problems: [WALProblem] = []
  /// The segment files named on the command line (not found in a directory).
  private var namedSegments: [WALFile] = []
  /// Whether a timeline or backup history file was named on the command line, to be checked.
  private(set) var namesHistoryFile = false

  init() {}

  /// Adds a file named on the command line.
  mutating func addNamedFile(_ path: String) {
    let live = FilePaths.isLiveDirectory(FilePaths.parent(path))
    let object = Storage.listedObject(path)
    switch WALFile.classify(fileName: FilePaths.baseName(path)) {
    case .segment(let name, let partial, let compression):
      files.append(WALFile(path: path, name: name, isPartial: partial, compressionByName: compression, isInLiveDirectory: live,
                           object: object))
      namedSegments.append(files.last!)
    case .timelineHistory, .backupHistory:
      // Checked for what it is (a history or a backup history file), not read as a segment.
      otherFiles.append(path)
      namesHistoryFile = true
    default:
      // A file named on the command line is read whatever its name; its first page tells
      // which segment it is, its suffix how it is compressed (a pgBackRest object,
      // `SEGMENT-SHA1.gz`, also names its segment).
      let (name, compression) = WALFile.storedName(FilePaths.baseName(path))
      files.append(WALFile(path: path, name: name, compressionByName: compression, isInLiveDirectory: live, object: object))
    }
  }

  /// Adds the timeline history file that lies beside each named segment of a timeline after
  /// the first (the history recovery would ask for, found by its name), unless it is listed
  /// already: a segment named alone is judged with its timeline's history, as in its directory.
  mutating func addHistoriesBesideNamedSegments() {
    var looked: Set<String> = []
    for file in namedSegments {
      guard let timeline = file.name?.timeline, timeline.rawValue > 1 else { continue }
      let directory = FilePaths.parent(file.path)
      let history = FilePaths.join(directory, timeline.historyFileName)
      guard looked.insert(history).inserted, !otherFiles.contains(history),
        case .success(let status) = Storage.status(of: history), case .regular = status.type
      else { continue }
      otherFiles.append(history)
    }
  }

  /// Adds one directory entry by what its name says: a segment (checked to be a regular file),
  /// or another file listed for the catalogue. Returns whether it is a segment.
  @discardableResult
  mutating func add(_ path: String, fileName: String, type listedType: Syscalls.FileType?, live: Bool = false,
                    catalogEntry: CatalogEntry? = nil) -> Bool
  {
    guard case .segment(let segment, let partial, let named) = WALFile.classify(fileName: fileName) else {
      otherFiles.append(path)
      return false
    }
    let location = WALLocation(file: path, segment: segment)
    var type = listedType
    if type == nil {
      switch Storage.status(of: path) {
      case .failure(let error):
        problems.append(WALProblem(.unreadableFile, "cannot read: \(error)", at: location))
        return true
      case .success(let status):
        type = status.type
      }
    }
    switch type! {
    case .regular:
      files.append(WALFile(path: path, name: segment, isPartial: partial, compressionByName: named,
                           isInLiveDirectory: live, catalogEntry: catalogEntry, object: Storage.listedObject(path)))
    case .directory:
      problems.append(WALProblem(.unexpectedFile, "expected a segment file, found a directory; not read", at: location))
    case .other(let what):
      problems.append(WALProblem(.unexpectedFile, "expected a segment file, found \(what); not read", at: location))
    case .symbolicLink:
      problems.append(WALProblem(.unexpectedFile, "expected a segment file, found a symbolic link that stat does not follow", at: location))
    }
    return true
  }
}
