import WALCore
import WALIO

/// A pgBackRest repository of the posix type: `archive/<stanza>/archive.info` and
/// `archive/<stanza>/<version>-<id>/<16 hex>/<segment>-<sha1>[.gz|.lz4|.zst|.bz2]`, history
/// files in the archive id directory.
enum PgBackRestRepository {
  static let infoName = "archive.info"

  /// Where in a repository a named directory points.
  struct Place {
    /// `archive/<stanza>`.
    var stanzaDirectory: String
    /// The archive id directory named, if one was.
    var archiveID: String?
  }

  static func isRepository(_ directory: String) -> Bool {
    hasInfo(directory) || isArchiveID(directory) || !stanzas(under: directory).isEmpty
  }

  private static func hasInfo(_ directory: String) -> Bool {
    Storage.isRegularFile(FilePaths.join(directory, infoName)) || Storage.isRegularFile(FilePaths.join(directory, infoName + ".copy"))
  }

  /// A stanza directory: its `archive.info`, or, when both it and its copy are gone, an
  /// archive id directory (`15-1`) holding segment directories.
  private static func isStanza(_ directory: String) -> Bool {
    guard !hasInfo(directory) else { return true }
    guard case .success(let entries) = Storage.entries(of: directory) else { return false }
    return entries.contains { entry in
      isArchiveIDName(entry.name) && Storage.isDirectory(FilePaths.join(directory, entry.name))
    }
  }

  /// `15-1`, `9.6-2`: a major version and a history id.
  private static func isArchiveIDName(_ name: String) -> Bool {
    let parts = name.split(separator: "-")
    return parts.count == 2 && !parts[0].isEmpty && parts[0].allSatisfy { $0.isNumber || $0 == "." }
      && !parts[1].isEmpty && parts[1].allSatisfy(\.isNumber)
  }

  private static func isArchiveID(_ directory: String) -> Bool {
    let name = FilePaths.baseName(directory)
    let parts = name.split(separator: "-")
    return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && parts[1].allSatisfy(\.isNumber)
      && hasInfo(FilePaths.parent(directory))
  }

  /// Stanza directories under a repository root (`<root>/archive/<stanza>`).
  private static func stanzas(under root: String) -> [String] {
    let archive = FilePaths.join(root, "archive")
    guard case .success(let entries) = Storage.entries(of: archive) else { return [] }
    return entries.map { FilePaths.join(archive, $0.name) }.filter(isStanza).sorted()
  }

  /// The stanza (and archive id) a named directory stands for.
  static func place(of directory: String) throws(WALInputsError) -> Place {
    if hasInfo(directory) { return Place(stanzaDirectory: directory) }
    if isArchiveID(directory) {
      return Place(stanzaDirectory: FilePaths.parent(directory), archiveID: FilePaths.baseName(directory))
    }
    let found = stanzas(under: directory)
    switch found.count {
    case 1: return Place(stanzaDirectory: found[0])
    case 0: throw WALInputsError(path: directory, reason: "not a pgBackRest repository: no archive/<stanza>/archive.info")
    default:
      throw WALInputsError(path: directory, reason:
        "the repository holds stanzas \(found.map(FilePaths.baseName).joined(separator: ", ")): name one (\(found[0]))")
    }
  }

  /// `archive.info` as pgBackRest loads it, with what is wrong with it and its copy.
  struct LoadedArchiveInfo {
    var info: PgBackRestArchiveInfo
    /// What is wrong with either file (or could not be checked), and why pgBackRest would not load it.
    var problems: [WALProblem]
    /// Set when neither loads: pgBackRest's archive-get then restores nothing from the
    /// stanza. `info` is still the first file that parses, so that the WAL can be listed.
    var unusable: WALProblem?
  }

  /// `archive.info`, or its `.copy` when the main file is missing, unusable or fails its
  /// checksum (pgBackRest falls back the same way). Both are checked: a damaged copy is what a
  /// restore falls back on the day the main file breaks.
  static func archiveInfo(in stanza: String) throws(WALInputsError) -> LoadedArchiveInfo {
    let main = try infoFile(FilePaths.join(stanza, infoName))
    let copy = try infoFile(FilePaths.join(stanza, infoName + ".copy"))
    var problems = main.problems + copy.problems
    if let info = main.loaded ?? copy.loaded {
      if main.loaded == nil, let failure = main.problems.indices.last {
        problems[failure].message += "; pgBackRest reads \(infoName).copy instead"
      }
      return LoadedArchiveInfo(info: info, problems: problems)
    }
    guard let parsed = main.parsed ?? copy.parsed else {
      let reasons = problems.map { "\($0.location.file.map(FilePaths.baseName) ?? infoName): \($0.message)" }
      throw WALInputsError(path: stanza, reason: "no usable \(infoName): " + reasons.joined(separator: "; ")
                             + "; pgBackRest's archive-get restores nothing from this stanza without it")
    }
    let unusable = WALProblem(.unreadableFile,
      "pgBackRest can load neither \(infoName) nor \(infoName).copy, so its archive-get restores nothing from stanza \(FilePaths.baseName(stanza))",
      at: WALLocation(file: FilePaths.join(stanza, infoName)))
    return LoadedArchiveInfo(info: parsed, problems: problems, unusable: unusable)
  }

  /// One of the two files: its content when it parses, whether pgBackRest would load it
  /// (its checksum holds), and what is wrong with it.
  private static func infoFile(_ path: String) throws(WALInputsError)
    -> (parsed: PgBackRestArchiveInfo?, loaded: PgBackRestArchiveInfo?, problems: [WALProblem])
  {
    let bytes: [UInt8]
    do {
      bytes = try CatalogFile.bytes(path, limit: 1 << 20)
    } catch {
      return (nil, nil, [error])
    }
    let info: PgBackRestArchiveInfo
    do {
      info = try PgBackRestArchiveInfo(bytes: bytes)
    } catch .encrypted {
      throw WALInputsError(path: path, reason:
        "\(PgBackRestArchiveInfo.ParseError.encrypted); walkit reads unencrypted repositories only (pgbackrest archive-get decrypts segments)")
    } catch {
      return (nil, nil, [WALProblem(.unreadableFile, "cannot be used: \(error)", at: WALLocation(file: path))])
    }
    var problems: [WALProblem] = []
    if info.actualChecksum == nil {
      problems.append(WALProblem(.codecUnavailable, "its backrest-checksum was not checked: \(Codec.sha1.unavailableReason)",
                                 at: WALLocation(file: path)))
    }
    guard let failure = info.checksumFailure else { return (info, info, problems) }
    problems.append(WALProblem(.checksumMismatch, "\(failure); pgBackRest refuses to load it", at: WALLocation(file: path)))
    return (info, nil, problems)
  }

  /// Splits a stored file name `<name>-<40 hex>[.suffix]` into the WAL file name with its
  /// suffix (`<name>[.suffix]`) and the SHA-1.
  static func splitChecksum(_ fileName: String) -> (name: String, sha1: String)? {
    guard let dash = fileName.firstIndex(of: "-") else { return nil }
    let after = fileName[fileName.index(after: dash)...]
    let hash = after.prefix(40)
    guard hash.count == 40, hash.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
    return (String(fileName[..<dash]) + after.dropFirst(40), String(hash))
  }
}

extension PgBackRestRepository {
  static func list(_ directory: String, into collected: inout WALFileCollector) throws(WALInputsError) -> Repository {
    let place = try PgBackRestRepository.place(of: directory)
    let loaded = try PgBackRestRepository.archiveInfo(in: place.stanzaDirectory)
    let info = loaded.info
    collected.problems += loaded.problems
    if let unusable = loaded.unusable { collected.problems.append(unusable) }
    let archiveID = place.archiveID ?? info.current.archiveID
    let archiveDirectory = FilePaths.join(place.stanzaDirectory, archiveID)
    let stanza = FilePaths.baseName(place.stanzaDirectory)
    let infoPath = FilePaths.join(place.stanzaDirectory, PgBackRestRepository.infoName)
    let cluster = info.cluster(archiveID: archiveID)
    if cluster == nil {
      collected.problems.append(WALProblem(.catalogMismatch,
        "archive id \(archiveID) is not among the clusters \(PgBackRestRepository.infoName) records (\(info.history.map(\.archiveID).joined(separator: ", ")))",
        at: WALLocation(file: infoPath)))
    }
    var entryTemplate = CatalogEntry(source: "\(PgBackRestRepository.infoName) (archive id \(archiveID))",
                                     systemIdentifier: cluster?.systemIdentifier, majorVersion: cluster.flatMap { Int($0.majorVersion) })
    entryTemplate.refusal = loaded.unusable

    var byFormat: [Compression: Int] = [:]
    var stored: [String: (path: String, index: Int, sha1: String)] = [:]
    if Storage.isDirectory(archiveDirectory) {
      for entry in try FilePaths.entries(of: archiveDirectory) {
        let path = FilePaths.join(archiveDirectory, entry.name)
        guard entry.name.utf8.count == 16, Storage.isDirectory(path) else {
          collected.add(path, fileName: entry.name, type: entry.type)
          continue
        }
        for file in try FilePaths.entries(of: path) {
          let filePath = FilePaths.join(path, file.name)
          guard let split = PgBackRestRepository.splitChecksum(file.name) else {
            collected.add(filePath, fileName: file.name, type: file.type)
            continue
          }
          let wal = split.name.prefix(while: { $0 != "." })
          // archive-get looks for a segment in its own directory only: a copy elsewhere is
          // none it restores, nor one that makes it refuse the segment.
          if !wal.hasPrefix(entry.name) {
            collected.problems.append(WALProblem(.catalogMismatch,
              "stored under \(entry.name)/, where pgBackRest does not look for it (\(wal.prefix(16))/): archive-get does not find it, and it was not read",
              at: WALLocation(file: filePath, segment: SegmentName(fileName: wal))))
            continue
          }
          let key = String(wal) + (split.name.contains(".partial") ? ".partial" : "")
          // Copies with one checksum (another compression) are one segment to archive-get;
          // only different checksums make it refuse the segment.
          if let earlier = stored[key], earlier.sha1 != split.sha1 {
            let duplicate = WALProblem(.duplicateSegment,
              "stored twice with different checksums, as \(earlier.path) and \(filePath); pgBackRest's archive-get refuses such a segment (\"duplicates found\"), so a restore stops at it",
              at: WALLocation(file: earlier.path, segment: SegmentName(fileName: wal)))
            collected.problems.append(duplicate)
            collected.files[earlier.index].catalogEntry?.refusal = duplicate
            continue
          }
          var catalogEntry = entryTemplate
          catalogEntry.sha1 = split.sha1
          if collected.add(filePath, fileName: split.name, type: file.type, catalogEntry: catalogEntry) {
            if stored[key] == nil { stored[key] = (filePath, collected.files.count - 1, split.sha1) }
            byFormat[collected.files.last?.compressionByName ?? .plain, default: 0] += 1
          }
        }
      }
    }
    var summary = "pgBackRest stanza \(stanza), archive id \(archiveID)"
    if let cluster { summary += " (PostgreSQL \(cluster.majorVersion), system identifier \(cluster.systemIdentifier))" }
    summary += ": \(Repository.describe(byFormat))"
    let others = info.history.map(\.archiveID).filter { $0 != archiveID && Storage.isDirectory(FilePaths.join(place.stanzaDirectory, $0)) }
    if !others.isEmpty {
      summary += "; archive id\(others.count == 1 ? "" : "s") \(others.joined(separator: ", ")) of earlier clusters not read (name the directory to read one)"
    }
    return Repository(path: directory, layout: .pgBackRest, summary: summary)
  }
}
