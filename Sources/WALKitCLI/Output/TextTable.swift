/// Left- or right-aligned columns for text output.
struct TextTable {
  enum Alignment { case left, right }

  let headers: [String]
  let alignments: [Alignment]
  private(set) var rows: [[String]] = []

  init(_ columns: [(String, Alignment)]) {
    headers = columns.map(\.0)
    alignments = columns.map(\.1)
  }

  mutating func append(_ row: [String]) { rows.append(row) }

  func render() -> String {
    var widths = headers.map(\.count)
    for row in rows {
      for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
    }
    func line(_ cells: [String]) -> String {
      var parts: [String] = []
      for (column, cell) in cells.enumerated() {
        let padding = String(repeating: " ", count: widths[column] - cell.count)
        let isLast = column == cells.count - 1
        parts.append(alignments[column] == .right ? padding + cell : (isLast ? cell : cell + padding))
      }
      return parts.joined(separator: "  ") + "\n"
    }
    return ([line(headers)] + rows.map(line)).joined()
  }
}
