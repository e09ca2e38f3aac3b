import WALCore
import WALIO

extension WALInputs {
  /// True when the paths hold nothing that is, or claims to be, a segment, and name no
  /// timeline or backup history file to check. A directory holding history files but no
  /// segment is empty: no standby can recover from it.
  public var isEmpty: Bool { files.isEmpty && problems.isEmpty && !namesHistoryFile }

  /// Why `paths` gave nothing to read, in words: what walkit looked for and where, and, when
  /// segments sit deeper (one or two levels down, as in a Barman `wals/` tree without its
  /// `xlog.db`), where they are and how to name them.
  public static func nothingToRead(in paths: [String]) -> String {
    var text = "no WAL segment in \(paths.joined(separator: ", ")): walkit looks for files named like "
      + "000000010000000000000001 (also .partial, and compressed) in the files and directories named, "
      + "and in pgBackRest, WAL-G and Barman repositories"
    var found: [(directory: String, segments: Int)] = []
    var budget = 20_000
    var pending = paths.filter(Storage.isDirectory).map { ($0, 0) }
    while let (directory, depth) = pending.first, budget > 0 {
      pending.removeFirst()
      guard let entries = try? FilePaths.entries(of: directory) else { continue }
      budget -= entries.count
      var segments = 0
      for entry in entries {
        if case .segment = WALFile.classify(fileName: entry.name) { segments += 1; continue }
        if depth < 2, case .directory? = entry.type { pending.append((FilePaths.join(directory, entry.name), depth + 1)) }
      }
      if depth > 0 && segments > 0 { found.append((directory, segments)) }
    }
    guard !found.isEmpty else { return text }
    let shown = found.prefix(5)
    text += "; segments are in subdirectories: " + shown.map { "\($0.directory) (\($0.segments))" }.joined(separator: ", ")
      + (found.count > shown.count ? " and \(found.count - shown.count) more" : "")
      + "; name those directories instead (walkit verify \(shown.map(\.directory).joined(separator: " ")))"
    return text
  }
}
