import Synchronization
import WALKit

/// What `inspect` gathers from a run of records: their text (lines or JSON) or statistics,
/// how many were shown, and where the last one read ends.
struct ListingChunk: Sendable {
  var bytes: TextBuffer
  var statistics: WALStatistics?
  var shown = 0
  var lastEnd: LSN?
  /// The first and the last record read (shown or not), and the version that wrote the first.
  var firstRecord: LSN?
  var firstVersion: WALVersion?
  var lastRecord: LSN?

  /// Whether a chunk's text is worth writing out now rather than after more records: a
  /// segment's text is megabytes, and memory touched for the first time is slow to get.
  static let holdsEnoughText: @Sendable (inout ListingChunk) -> Bool = { $0.bytes.count >= 1 << 19 }

  /// Text buffers of delivered chunks, for the next chunks: a segment's text is megabytes,
  /// and a buffer grown for one is ready for the next.
  private static let spareBuffers = Mutex<[TextBuffer]>([])

  /// A chunk with a recycled (or new) text buffer.
  static func make() -> ListingChunk {
    let buffer = spareBuffers.withLock { $0.popLast() } ?? TextBuffer(capacity: 1 << 20)
    buffer.removeAll()
    return ListingChunk(bytes: buffer)
  }

  /// Hands the chunk's text buffer to a later chunk.
  func recycle() {
    Self.spareBuffers.withLock { spare in if spare.count < 16 { spare.append(bytes) } }
  }

  /// Adds the chunk of the records that follow.
  mutating func append(_ later: ListingChunk) {
    if let more = later.statistics {
      if statistics == nil { statistics = more } else { statistics!.merge(more) }
    }
    shown += later.shown
    lastEnd = later.lastEnd ?? lastEnd
    if firstRecord == nil { (firstRecord, firstVersion) = (later.firstRecord, later.firstVersion) }
    lastRecord = later.lastRecord ?? lastRecord
  }
}

/// How `inspect` shows a record: which records, and as what.
struct RecordPrinter: Sendable {
  enum Form: Sendable { case line, lineWithBlockDetails, json, statistics }

  let filter: RecordFilter
  let form: Form
  /// Read once: the filter's checks cost more than the statistics they guard.
  private let filters: Bool

  init(filter: RecordFilter, form: Form) {
    (self.filter, self.form, filters) = (filter, form, !filter.keepsEverything)
  }

  /// Adds `record` to `chunk` when the filter takes it; returns whether it did.
  @discardableResult
  func take(_ record: WALRecord, into chunk: inout ListingChunk) -> Bool {
    chunk.lastEnd = record.nextRecordAfterReplay
    if chunk.firstRecord == nil { (chunk.firstRecord, chunk.firstVersion) = (record.lsn, record.version) }
    chunk.lastRecord = record.lsn
    if filters && !filter.matches(record) { return false }
    switch form {
    case .line:
      record.appendPgWaldumpLine(to: chunk.bytes)
      chunk.bytes.append(UInt8(ascii: "\n"))
    case .lineWithBlockDetails:
      chunk.bytes.append(record.pgWaldumpLineWithBlockDetails)
    case .json:
      chunk.bytes.append(RecordJSON.line(record))
    case .statistics:
      if chunk.statistics == nil { chunk.statistics = WALStatistics() }
      chunk.statistics!.add(record)
    }
    chunk.shown += 1
    return true
  }
}
