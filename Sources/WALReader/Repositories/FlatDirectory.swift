import WALCore
import WALIO

/// A plain directory of WAL files: an archive that `archive_command` fills, or a pg_wal.
enum FlatDirectory {
  /// Lists `directory`'s WAL files into `collected`.
  static func list(_ directory: String, into collected: inout WALFileCollector) throws(WALInputsError) -> Repository {
    let live = FilePaths.isLiveDirectory(directory)
    var count = 0
    let firstFile = collected.files.count
    for entry in try FilePaths.entries(of: directory) {
      if live && (entry.name == "archive_status" || entry.name == "summaries") { continue }
      if collected.add(FilePaths.join(directory, entry.name), fileName: entry.name, type: entry.type, live: live) { count += 1 }
    }
    var byFormat: [Compression: Int] = [:]
    for file in collected.files[firstFile...] where !file.isPartial { byFormat[file.compressionByName ?? .plain, default: 0] += 1 }
    var summary = live ? "pg_wal directory" : "directory of \(count) WAL files"
    if byFormat.count > 1 {
      let segments = Repository.describe(byFormat)
      summary += ", \(segments)"
      collected.problems.append(WALProblem(.mixedCompression,
        "the \(segments) are stored in more than one way: a restore_command must restore each as it is stored (a plain copy, or one decompressor, fails on the others)",
        at: WALLocation(file: directory)))
    }
    return Repository(path: directory, layout: .flat, summary: summary)
  }
}
