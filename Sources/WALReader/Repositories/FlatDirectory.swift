import WALCore
import WALIO

/// A plain directory of WAL files: an archive that `archive_command` fills, or a pg_wal.
enum FlatDirectory {
  /// Lists `directory`'s WAL files into `collected`.
  static func list(_ directory: String, into collected: inout WALFileCollector) throws(WALInputsError) -> Repository {
    let live = FilePaths.isLiveDirectory(directory)
    var count = 0
    for entry in try FilePaths.entries(of: directory) {
      if live && (entry.name == "archive_status" || entry.name == "summaries") { continue }
      if collected.add(FilePaths.join(directory, entry.name), fileName: entry.name, type: entry.type, live: live) { count += 1 }
    }
    return Repository(path: directory, layout: .flat, summary: live ? "pg_wal directory" : "directory of \(count) WAL files")
  }
}
