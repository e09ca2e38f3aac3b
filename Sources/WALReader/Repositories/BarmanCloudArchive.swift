import WALCore
import WALIO

/// A Barman cloud archive, as `barman-cloud-wal-archive` writes one to object storage (or a copy
/// of it): `SERVER/wals/<16 hex>/<segment>[.gz|.bz2|…]`, named with their compression's
/// suffix, history files in `wals/`, and no catalogue.
enum BarmanCloudArchive {
  /// The `wals` directory of a server directory (or `wals` itself) that is laid out so: one or
  /// more `<16 hex>` directories and no `xlog.db`, in a server directory that holds no segments
  /// of its own and is not a Barman server's on disk (``BarmanCatalogue/isServerOnDisk(_:)``).
  static func walsDirectory(of directory: String) -> String? {
    let isWals = FilePaths.baseName(directory) == "wals"
    let wals = isWals ? directory : FilePaths.join(directory, "wals")
    guard case .success(let entries) = Storage.entries(of: wals),
      !entries.contains(where: { $0.name == BarmanCatalogue.catalogName }),
      entries.contains(where: { FilePaths.isSegmentDirectory($0.name) && $0.type.map { if case .directory = $0 { true } else { false } } ?? true })
    else { return nil }
    let server = isWals ? FilePaths.parent(directory) : directory
    guard !BarmanCatalogue.isServerOnDisk(server) else { return nil }
    if !isWals, case .success(let own) = Storage.entries(of: directory),
      own.contains(where: { if case .segment = WALFile.classify(fileName: $0.name) { true } else { false } })
    {
      return nil
    }
    return wals
  }

  static func list(_ directory: String, into collected: inout WALFileCollector) throws(WALInputsError) -> Repository {
    // The destination barman-cloud-wal-archive was given stands for its one server.
    var found = walsDirectory(of: directory)
    if found == nil {
      let listed = (try? FilePaths.entries(of: directory))?.map { FilePaths.join(directory, $0.name) } ?? []
      found = try BarmanCatalogue.soleServer(inHome: directory, listed: listed[...]).flatMap(walsDirectory(of:))
    }
    guard let wals = found else {
      throw WALInputsError(path: directory, reason: "not a Barman cloud archive: no wals/ directory of <16 hex digits> directories")
    }
    var byFormat: [Compression: Int] = [:]
    func add(_ path: String, _ entry: Storage.Entry) {
      guard collected.add(path, fileName: entry.name, type: entry.type),
        case .segment(_, _, let named) = WALFile.classify(fileName: entry.name)
      else { return }
      byFormat[named ?? .plain, default: 0] += 1
    }
    for entry in try FilePaths.entries(of: wals) {
      let path = FilePaths.join(wals, entry.name)
      if FilePaths.isSegmentDirectory(entry.name) {
        for inner in try FilePaths.entries(of: path) { add(FilePaths.join(path, inner.name), inner) }
      } else {
        add(path, entry)
      }
    }
    return Repository(path: directory, layout: .barmanCloud, summary: "Barman cloud archive, \(wals): \(Repository.describe(byFormat))")
  }
}
