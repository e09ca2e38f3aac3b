/// Where in the input a problem lies. Each layer fills in what it knows.
public struct WALLocation: Hashable, Sendable {
  /// The file's path as given or found.
  public var file: String?
  /// The segment, from the file name or, for an unnamed file, from its first page.
  public var segment: SegmentName?
  /// Byte offset inside the (decompressed) file.
  public var fileOffset: UInt64?
  /// Position in the WAL stream.
  public var lsn: LSN?

  public init(file: String? = nil, segment: SegmentName? = nil, fileOffset: UInt64? = nil, lsn: LSN? = nil) {
    self.file = file
    self.segment = segment
    self.fileOffset = fileOffset
    self.lsn = lsn
  }
}

/// Something wrong with WAL or with the files holding it, with its kind and location.
///
/// Problems are values: the verifier collects them and carries on. Decoding code throws them.
public struct WALProblem: Error, Hashable, Sendable, CustomStringConvertible {
  /// What is wrong. The raw values are the stable names used in JSON and the man pages.
  public enum Kind: String, CaseIterable, Hashable, Sendable, Codable {
    /// A record's CRC-32C does not match its bytes.
    case crcMismatch = "crc-mismatch"
    /// A page header is malformed: magic, info bits, long-header fields.
    case badPageHeader = "bad-page-header"
    /// A page carries another page's address: a recycled, misnamed or misplaced segment.
    case wrongPageAddress = "wrong-page-address"
    /// A page's timeline goes backwards or exceeds the file name's timeline.
    case timelineMismatch = "timeline-mismatch"
    /// A segment comes from another database cluster.
    case systemIDMismatch = "system-id-mismatch"
    /// A segment's size differs from its long header or from the other segments.
    case segmentSizeMismatch = "segment-size-mismatch"
    /// A file is shorter than a segment.
    case truncatedFile = "truncated-file"
    /// A record header or body fails PostgreSQL's consistency checks.
    case invalidRecord = "invalid-record"
    /// A record's continuation across pages or segments does not fit.
    case brokenContinuation = "broken-continuation"
    /// Valid WAL ends inside a segment that should hold more: later WAL depends on it, or it
    /// is an archived segment, which is always complete.
    case incompleteSegment = "incomplete-segment"
    /// A segment between two present segments of a timeline is absent.
    case missingSegment = "missing-segment"
    /// A file could not be opened or read (permissions, I/O errors).
    case unreadableFile = "unreadable-file"
    /// An object in object storage changed between its listing and its reading (another ETag,
    /// another size): it was not read as listed, and a restore may get either version.
    case changedWhileRead = "changed-while-read"
    /// A compressed file's stream is truncated or corrupt, or expands past a segment.
    case corruptCompressedFile = "corrupt-compressed-file"
    /// A file needs a library that is not installed (its compression's, or OpenSSL's for a
    /// pgBackRest checksum): what needs it was not read or checked.
    case codecUnavailable = "codec-unavailable"
    /// A path that should hold a WAL segment holds something else (a FIFO, a device, a
    /// directory, a name that is not WAL).
    case unexpectedFile = "unexpected-file"
    /// A timeline has segments but its `.history` file is absent, so recovery cannot follow it.
    case missingHistory = "missing-history"
    /// WAL that is not on the target timeline's ancestry: another branch of history (an old
    /// primary that went on writing after a promotion, a split brain).
    case orphanTimeline = "orphan-timeline"
    /// A file's name claims one compression and its content is in another (or plain).
    case compressionMismatch = "compression-mismatch"
    /// A directory's segments are stored in more than one way (plain and gzip, say): a
    /// restore_command must restore each as it is stored.
    case mixedCompression = "mixed-compression"
    /// A file's content does not match the checksum a backup tool recorded for it.
    case checksumMismatch = "checksum-mismatch"
    /// A backup tool's catalogue disagrees with the files: a listed file missing, a file not
    /// listed, another size or compression, WAL of another cluster or version than recorded.
    case catalogMismatch = "catalog-mismatch"
    /// A recovery target that the WAL at hand does not reach: PostgreSQL ends recovery with
    /// "recovery ended before configured recovery target was reached".
    case targetNotReached = "target-not-reached"
    /// A recovery target met before replay is consistent: PostgreSQL refuses it.
    case targetBeforeConsistency = "target-before-consistency"
    /// Replay ends before the backup's end (or a standby's minimum recovery point): the server
    /// never becomes consistent. PostgreSQL: "WAL ends before end of online backup".
    case consistencyNotReached = "consistency-not-reached"
    /// A repository holds two different files for one segment.
    case duplicateSegment = "duplicate-segment"
    /// A listed file was gone when it came to be read: PostgreSQL removes and recycles (renames)
    /// the segments of pg_wal before its last checkpoint, and archive retention removes old
    /// ones. It is left out, as if listed a moment later (a gap it leaves is found as such).
    case removedWhileRead = "removed-while-read"

    /// How much a finding weighs: a problem (exit status 1), or a note that changes no verdict.
    public var severity: Severity {
      switch self {
      case .orphanTimeline, .mixedCompression, .removedWhileRead: .note
      default: .problem
      }
    }

    /// A problem with how a file is stored or catalogued, or with the libraries walkit reads it
    /// with, rather than with the WAL it holds: by itself it does not make a segment damaged.
    public var isAboutStorage: Bool {
      switch self {
      case .compressionMismatch, .mixedCompression, .checksumMismatch, .catalogMismatch, .duplicateSegment, .codecUnavailable: true
      default: false
      }
    }

    /// A problem that stops a file from being read at all: a restore of it fails, or walkit
    /// cannot tell what it holds.
    public var makesFileUnreadable: Bool {
      switch self {
      case .unreadableFile, .changedWhileRead, .corruptCompressedFile, .codecUnavailable, .removedWhileRead: true
      default: false
      }
    }
  }

  /// How much a finding weighs.
  public enum Severity: String, Sendable, Codable {
    /// Something is wrong: exit status 1.
    case problem
    /// Worth knowing, wrong with nothing: another branch of history beside the one followed
    /// (an old primary that went on writing after a promotion). Exit status 0.
    case note
  }

  public var kind: Kind
  public var severity: Severity { kind.severity }
  public var location: WALLocation
  /// What was expected and what was found, in words.
  public var message: String

  public init(_ kind: Kind, _ message: String, at location: WALLocation = WALLocation()) {
    self.kind = kind
    self.message = message
    self.location = location
  }

  /// This problem with the location's gaps filled from `outer`.
  public func located(file: String? = nil, segment: SegmentName? = nil) -> WALProblem {
    var copy = self
    if copy.location.file == nil { copy.location.file = file }
    if copy.location.segment == nil { copy.location.segment = segment }
    return copy
  }

  /// `crc-mismatch at 0/30000F0 in 000000010000000000000003 (offset 240): …`
  public var description: String {
    var text = kind.rawValue
    if let lsn = location.lsn { text += " at \(lsn)" }
    if let segment = location.segment {
      text += " in \(segment)"
    } else if let file = location.file {
      text += " in \(file)"
    }
    if let offset = location.fileOffset { text += " (offset \(offset))" }
    return text + ": " + message
  }
}
