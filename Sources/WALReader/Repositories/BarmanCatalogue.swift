import WALCore
import WALIO

/// A Barman server's WAL catalogue: `wals/<16 hex>/<segment>` (compressed files keep the plain
/// name), history files in `wals/`, and `wals/xlog.db`, one line per archived file:
/// `name<TAB>size<TAB>time<TAB>compression<TAB>encryption` since Barman 3.14, without the
/// encryption before, and without the compression in the oldest catalogues (Barman reads all
/// three).
enum BarmanCatalogue {
  static let catalogName = "xlog.db"

  /// True for a server directory holding `wals/xlog.db`, or a `wals` directory itself.
  static func isCatalogue(_ directory: String) -> Bool {
    Storage.isRegularFile(FilePaths.join(directory, "wals/" + catalogName))
      || Storage.isRegularFile(FilePaths.join(directory, catalogName))
  }

  /// True for a Barman server's directory on disk, by what Barman keeps beside `wals/` there
  /// (`incoming/`, `streaming/`, `errors/`) and a Barman cloud archive lacks: with its
  /// `xlog.db` gone, it is still read as Barman's, and the missing catalogue said.
  static func isServerOnDisk(_ server: String) -> Bool {
    ["incoming", "streaming", "errors"].contains { Storage.isDirectory(FilePaths.join(server, $0)) }
  }

  /// The one server directory among `listed` (the entries of Barman's home, `barman_home`, or
  /// of a Barman cloud destination) that holds a catalogue or a Barman cloud archive; `nil` when
  /// none does.
  /// - Throws: when several do, naming them.
  static func soleServer(inHome home: String, listed: ArraySlice<String>) throws(WALInputsError) -> String? {
    let servers = listed.filter { Storage.isDirectory($0) && (isCatalogue($0) || BarmanCloudArchive.walsDirectory(of: $0) != nil) }.sorted()
    guard servers.count > 1 else { return servers.first }
    throw WALInputsError(path: home, reason:
      "Barman's home holds the servers \(servers.map(FilePaths.baseName).joined(separator: ", ")): name one (\(servers[0]))")
  }

  /// One line of `xlog.db`.
  struct Line: Equatable {
    var name: String
    var size: UInt64
    /// The compression recorded: `nil` for one walkit cannot name (a custom filter).
    var compression: Compression?
    /// The encryption recorded (`gpg`), `nil` for none.
    var encryption: String? = nil
  }

  /// The lines of `xlog.db`, and the numbers of those that are not three to five tab-separated
  /// fields with a size.
  static func parse(_ bytes: [UInt8]) -> (lines: [Line], malformed: [Int]) {
    var lines: [Line] = []
    var malformed: [Int] = []
    for (index, raw) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
      if raw.isEmpty { continue }
      let fields = raw.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
      guard (3...5).contains(fields.count), let size = UInt64(fields[1]) else {
        malformed.append(index + 1)
        continue
      }
      let encryption = fields.count == 5 && !["none", ""].contains(fields[4].lowercased()) ? fields[4] : nil
      lines.append(Line(name: fields[0], size: size, compression: compression(named: fields.count > 3 ? fields[3] : "None"),
                        encryption: encryption))
    }
    return (lines, malformed)
  }

  /// The format a Barman compression name stands for.
  static func compression(named name: String) -> Compression? {
    switch name.lowercased() {
    case "none", "": .plain
    case "gzip", "pigz", "pygzip": .gzip
    case "bzip2", "pybzip2": .bzip2
    case "zstd": .zstd
    case "lz4": .lz4
    case "xz": .xz
    default: nil
    }
  }
}

extension BarmanCatalogue {
  static func list(_ directory: String, into collected: inout WALFileCollector) throws(WALInputsError) -> Repository {
    let wals = Storage.isRegularFile(FilePaths.join(directory, BarmanCatalogue.catalogName)) ? directory : FilePaths.join(directory, "wals")
    let catalogPath = FilePaths.join(wals, BarmanCatalogue.catalogName)
    let parsed: (lines: [BarmanCatalogue.Line], malformed: [Int])
    do {
      parsed = BarmanCatalogue.parse(try CatalogFile.bytes(catalogPath))
    } catch {
      let hint = BarmanCloudArchive.walsDirectory(of: directory) != nil ? " (the directory is a Barman cloud archive: --layout barman-cloud)" : ""
      throw WALInputsError(path: catalogPath, reason: "not a usable Barman catalogue: \(error.message)\(hint)")
    }
    for line in parsed.malformed {
      collected.problems.append(WALProblem(.catalogMismatch,
                                 "line \(line) is not name, size, time, compression and encryption (the last two optional) separated by tabs",
                                 at: WALLocation(file: catalogPath)))
    }

    var onDisk: [String: (path: String, type: Syscalls.FileType?)] = [:]
    for entry in try FilePaths.entries(of: wals) {
      let path = FilePaths.join(wals, entry.name)
      if entry.name.utf8.count == 16, SegmentName.hex32(Array(entry.name.utf8)[0..<8]) != nil, Storage.isDirectory(path) {
        for inner in try FilePaths.entries(of: path) where onDisk[inner.name] == nil {
          onDisk[inner.name] = (FilePaths.join(path, inner.name), inner.type)
        }
      } else if WALFile.classify(fileName: entry.name) != .other, onDisk[entry.name] == nil {
        onDisk[entry.name] = (path, entry.type)
      }
    }

    var listed = Set<String>()
    var byFormat: [Compression: Int] = [:]
    for line in parsed.lines where listed.insert(line.name).inserted {
      let expected = FilePaths.join(wals, line.name.utf8.count >= 24 && !line.name.hasSuffix(".history")
                                 ? String(line.name.prefix(16)) + "/" + line.name : line.name)
      guard let found = onDisk[line.name] else {
        let segment = SegmentName(fileName: line.name.prefix(24))
        collected.problems.append(WALProblem(.catalogMismatch, "\(BarmanCatalogue.catalogName) lists \(line.name) (\(line.size) bytes), the file is missing",
                                   at: WALLocation(file: expected, segment: line.name.utf8.count == 24 ? segment : nil)))
        continue
      }
      if case .success(let status) = Storage.status(of: found.path), case .regular = status.type, status.size != line.size {
        collected.problems.append(WALProblem(.catalogMismatch,
          "\(BarmanCatalogue.catalogName) records \(line.size) bytes, the file has \(status.size)",
          at: WALLocation(file: found.path, segment: SegmentName(fileName: line.name.prefix(24)))))
      }
      var entry = CatalogEntry(source: BarmanCatalogue.catalogName, compression: line.compression)
      entry.encryption = line.encryption
      if collected.add(found.path, fileName: line.name, type: found.type, catalogEntry: entry) {
        byFormat[line.compression ?? .plain, default: 0] += 1
      }
    }
    for (name, found) in onDisk.sorted(by: { $0.key < $1.key }) where !listed.contains(name) {
      collected.problems.append(WALProblem(.catalogMismatch, "not listed in \(BarmanCatalogue.catalogName); Barman does not know this file",
                                 at: WALLocation(file: found.path, segment: SegmentName(fileName: name.prefix(24)))))
      // An entry that claims nothing: Barman's get-wal still serves the file, decompressing it
      // by its content, so a compressed file under a plain name is no problem here.
      collected.add(found.path, fileName: name, type: found.type, catalogEntry: CatalogEntry(source: BarmanCatalogue.catalogName))
    }
    return Repository(path: directory, layout: .barman, summary: "Barman catalogue, \(catalogPath): \(Repository.describe(byFormat))")
  }
}
