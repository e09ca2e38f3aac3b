import WALCore
import WALIO

/// How WAL files are kept in a directory: plainly, or in a backup tool's repository.
public enum RepositoryLayout: String, CaseIterable, Hashable, Sendable, Codable {
  /// A directory of WAL files: an archive that `archive_command` fills, or a pg_wal.
  case flat
  /// A pgBackRest repository (posix type): `archive/<stanza>/<version>-<id>/…`, `archive.info`.
  case pgBackRest = "pgbackrest"
  /// WAL-G's storage on a file system: `wal_005/<segment>.<compression>`.
  case walG = "walg"
  /// A Barman catalogue: `wals/<16 hex>/<segment>`, `wals/xlog.db`.
  case barman
  /// A Barman cloud archive: `wals/<16 hex>/<segment>.<compression suffix>`, no catalogue.
  case barmanCloud = "barman-cloud"

  /// The layout `directory` has, by the files that mark each tool's repository.
  public static func detect(directory: String) -> RepositoryLayout {
    if PgBackRestRepository.isRepository(directory) { return .pgBackRest }
    if WALGStorage.isStorage(directory) { return .walG }
    if BarmanCatalogue.isCatalogue(directory) { return .barman }
    if BarmanCloudArchive.walsDirectory(of: directory) != nil { return .barmanCloud }
    let server = FilePaths.baseName(directory) == "wals" ? FilePaths.parent(directory) : directory
    if Storage.isDirectory(FilePaths.join(server, "wals")) && BarmanCatalogue.isServerOnDisk(server) { return .barman }
    return .flat
  }
}

/// A directory named as a WAL source, with the layout found in it.
public struct Repository: Hashable, Sendable {
  public var path: String
  public var layout: RepositoryLayout
  /// What was found, in a line: the stanza and archive id, the number of files, and so on.
  public var summary: String

  public init(path: String, layout: RepositoryLayout, summary: String) {
    self.path = path
    self.layout = layout
    self.summary = summary
  }
}

extension RepositoryLayout {
  /// Lists `directory` into `collected` as a repository of `layout`, or of the layout detected.
  static func list(_ directory: String, as layout: RepositoryLayout?, into collected: inout WALFileCollector)
    throws(WALInputsError) -> Repository
  {
    switch layout ?? detect(directory: directory) {
    case .flat:
      let before = (files: collected.files.count, others: collected.otherFiles.count, problems: collected.problems.count)
      let flat = try FlatDirectory.list(directory, into: &collected)
      // A directory of no segments may be Barman's home, whose server directories hold them.
      guard layout == nil, collected.files.count == before.files,
        let server = try BarmanCatalogue.soleServer(inHome: directory, listed: collected.otherFiles[before.others...])
      else { return flat }
      collected.otherFiles.removeSubrange(before.others...)
      collected.problems.removeSubrange(before.problems...)
      return BarmanCatalogue.isCatalogue(server)
        ? try BarmanCatalogue.list(server, into: &collected) : try BarmanCloudArchive.list(server, into: &collected)
    case .pgBackRest: return try PgBackRestRepository.list(directory, into: &collected)
    case .walG: return try WALGStorage.list(directory, into: &collected)
    case .barman: return try BarmanCatalogue.list(directory, into: &collected)
    case .barmanCloud: return try BarmanCloudArchive.list(directory, into: &collected)
    }
  }
}

extension Repository {
  /// `3 segments (lz4 2, zstd 1)`: the segments a repository holds, by compression.
  static func describe(_ byFormat: [Compression: Int]) -> String {
    let total = byFormat.values.reduce(0, +)
    let parts = Compression.allCases.compactMap { format in byFormat[format].map { "\(format.rawValue) \($0)" } }
    return "\(total) segment\(total == 1 ? "" : "s")" + (parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")")
  }
}
