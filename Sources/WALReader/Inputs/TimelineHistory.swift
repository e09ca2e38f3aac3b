import WALCore
import WALIO

/// A timeline history file, `TTTTTTTT.history`: the ancestry of a timeline, oldest first.
///
/// Each line `parentTLI<TAB>switchPoint<TAB>reason` says the parent timeline was valid for LSNs
/// before the switch point, where its child begins. Timeline 1 has no history file.
public struct TimelineHistory: Hashable, Sendable {
  /// One ancestor and where its child took over.
  public struct Entry: Hashable, Sendable {
    public var parent: TimelineID
    /// The first LSN of the next timeline in the history.
    public var switchPoint: LSN
    public var reason: String
  }

  /// A timeline and the LSN range it covers in this history.
  public struct Span: Hashable, Sendable {
    public var timeline: TimelineID
    /// Where the timeline begins (LSN 0 for the first).
    public var begin: LSN
    /// Where its child begins; `nil` for the history's own timeline, which has no end.
    public var end: LSN?

    public init(timeline: TimelineID, begin: LSN, end: LSN?) {
      self.timeline = timeline
      self.begin = begin
      self.end = end
    }
  }

  /// The timeline this file describes.
  public let timeline: TimelineID
  public let entries: [Entry]

  /// Why a history file cannot be used, in PostgreSQL's words.
  public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
  }

  public init(timeline: TimelineID, entries: [Entry]) {
    self.timeline = timeline
    self.entries = entries
  }

  /// Parses the file's text as PostgreSQL's `readTimeLineHistory` does: blank lines and `#`
  /// comments are skipped (some reasons end with a newline, which leaves a blank line), each
  /// line must start with a timeline and a switch point, and timelines must increase and stay
  /// below `timeline`. Switch points may go backwards: recovery to a point before an earlier
  /// switch writes such a history, and the timeline in between then covers no LSN.
  public init(timeline: TimelineID, text: String) throws(ParseError) {
    var entries: [Entry] = []
    for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = rawLine.drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" })
      if line.isEmpty || line.hasPrefix("#") { continue }
      let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
      let number = offset + 1
      guard let parent = UInt32(fields[0].strippingWhitespace()) else {
        throw ParseError(line: number, message: "syntax error in history file: expected a numeric timeline ID")
      }
      guard fields.count >= 2, let switchPoint = LSN(fields[1].strippingWhitespace()) else {
        throw ParseError(line: number, message: "syntax error in history file: expected a write-ahead log switchpoint location")
      }
      if let last = entries.last, parent <= last.parent.rawValue {
        throw ParseError(line: number, message: "invalid data in history file: timeline IDs must be in increasing sequence")
      }
      let reason = fields.count > 2 ? String(fields[2]).strippingWhitespace(newlines: true) : ""
      entries.append(Entry(parent: TimelineID(parent), switchPoint: switchPoint, reason: reason))
    }
    if let last = entries.last, last.parent >= timeline {
      throw ParseError(line: 0, message: "invalid data in history file: timeline IDs must be less than child timeline's ID \(timeline)")
    }
    self.init(timeline: timeline, entries: entries)
  }

  /// Every timeline of the history with its LSN range, oldest first, ending with this file's
  /// own timeline.
  public var spans: [Span] {
    var result: [Span] = []
    var begin = LSN.invalid
    for entry in entries {
      result.append(Span(timeline: entry.parent, begin: begin, end: entry.switchPoint))
      begin = entry.switchPoint
    }
    result.append(Span(timeline: timeline, begin: begin, end: nil))
    return result
  }

  /// The timeline in force at `lsn` in this history, newest first as PostgreSQL's
  /// `tliOfPointInHistory` looks: a timeline covers its begin up to, not including, its end.
  public func timeline(at lsn: LSN) -> TimelineID {
    spans.last { span in span.begin <= lsn && (span.end.map { lsn < $0 } ?? true) }?.timeline ?? timeline
  }

  /// Where `ancestor` ends in this history (its child's switch point); `nil` for this file's
  /// own timeline or one not in it.
  public func switchPoint(after ancestor: TimelineID) -> LSN? {
    entries.first { $0.parent == ancestor }?.switchPoint
  }
}

extension StringProtocol {
  /// Without leading and trailing spaces, tabs, and (with `newlines`) line breaks.
  func strippingWhitespace(newlines: Bool = false) -> String {
    func isSpace(_ character: Character) -> Bool {
      character == " " || character == "\t" || (newlines && (character == "\n" || character == "\r"))
    }
    var slice = Substring(self)
    while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
    while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
    return String(slice)
  }
}
