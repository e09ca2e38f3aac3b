import WALCore
import WALIO

/// WAL-G's storage on a file system (`WALG_FILE_PREFIX`): every archived file in `wal_005/`,
/// named `<file>.<compression suffix>` (`.lz4`, `.zst`, `.br`, `.lzma`; no suffix when
/// uncompressed).
enum WALGStorage {
  static let walFolder = "wal_005"

  /// True for a storage root holding `wal_005/`, or a `wal_005` directory itself.
  static func isStorage(_ directory: String) -> Bool {
    FilePaths.baseName(directory) == walFolder || Storage.isDirectory(FilePaths.join(directory, walFolder))
  }
}

extension WALGStorage {
  static func list(_ directory: String, into collected: inout WALFileCollector) throws(WALInputsError) -> Repository {
    let folder = FilePaths.baseName(directory) == WALGStorage.walFolder ? directory : FilePaths.join(directory, WALGStorage.walFolder)
    guard Storage.isDirectory(folder) else {
      throw WALInputsError(path: directory, reason: "not a WAL-G storage: no \(WALGStorage.walFolder)/ directory")
    }
    var byFormat: [Compression: Int] = [:]
    for entry in try FilePaths.entries(of: folder) where collected.add(FilePaths.join(folder, entry.name), fileName: entry.name, type: entry.type) {
      if case .segment(_, _, let named) = WALFile.classify(fileName: entry.name) { byFormat[named ?? .plain, default: 0] += 1 }
    }
    return Repository(path: directory, layout: .walG,
                      summary: "WAL-G storage, \(folder): \(Repository.describe(byFormat))")
  }
}
