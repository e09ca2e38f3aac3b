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

  /// The layout `directory` has, by the files that mark each tool's repository.
  public static func detect(directory: String) -> RepositoryLayout {
    if PgBackRestRepository.isRepository(directory) { return .pgBackRest }
    if WALGStorage.isStorage(directory) { return .walG }
    if BarmanCatalogue.isCatalogue(directory) { return .barman }
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

extension WALInputs {
  mutating func addRepository(_ directory: String, layout: RepositoryLayout?) throws(Error) {
    let repository: Repository
    switch layout ?? RepositoryLayout.detect(directory: directory) {
    case .flat: repository = try addFlatDirectory(directory)
    case .pgBackRest: repository = try addPgBackRest(directory)
    case .walG: repository = try addWALG(directory)
    case .barman: repository = try addBarman(directory)
    }
    repositories.append(repository)
  }

  /// `3 segments (lz4 2, zstd 1)`: the segments a repository holds, by compression.
  static func describe(_ byFormat: [Compression: Int]) -> String {
    let total = byFormat.values.reduce(0, +)
    let parts = Compression.allCases.compactMap { format in byFormat[format].map { "\(format.rawValue) \($0)" } }
    return "\(total) segment\(total == 1 ? "" : "s")" + (parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")")
  }
}
