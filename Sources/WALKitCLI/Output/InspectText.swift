import FoundationEssentials
import WALKit

/// pg_waldump's text formats: the record line and the statistics table.
enum InspectText {
  static func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }

  static func left(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
  }

  static func percent(_ part: UInt64, _ whole: UInt64) -> Double { whole == 0 ? 0 : 100 * Double(part) / Double(whole) }

  /// `--stats` and `--stats=record`, byte for byte as pg_waldump of the same version prints them.
  static func statistics(_ statistics: WALStatistics, perRecord: Bool) -> String {
    let version = statistics.version ?? WALVersion(major: 18)!
    // From 15 on, pg_waldump prints no table when no record was counted.
    if version.major >= 15 && statistics.end == nil { return "" }
    var rows: [(String, WALStatistics.Bucket)] = []
    let lastID = version.major >= 15 ? 255 : 21
    let totals = statistics.byResourceManager
    for id in 0...lastID {
      let total = totals[id]
      let isBuiltIn = id < ResourceManager.builtIn.count
      if perRecord {
        for bucket in 0..<16 where statistics[resourceManager: UInt8(id), bucket: bucket].count > 0 {
          rows.append((WALStatistics.rowName(resourceManager: UInt8(id), bucket: bucket, version: version),
                       statistics[resourceManager: UInt8(id), bucket: bucket]))
        }
      } else if isBuiltIn || total.count > 0 {
        guard isBuiltIn || id >= 128 else { continue }
        rows.append((ResourceManager(id: UInt8(id)).name, total))
      }
    }
    var count: UInt64 = 0, rec: UInt64 = 0, fpi: UInt64 = 0
    for id in 0...lastID {
      count += totals[id].count
      rec += totals[id].recordLength
      fpi += totals[id].fullPageImageLength
    }
    let combined = rec + fpi
    var out = ""
    if version.major >= 15, let start = statistics.start, let end = statistics.end {
      out += "WAL statistics between \(start) and \(end):\n"
    }
    func header(_ cells: [String]) -> String {
      pad(cells[0], 27) + " " + left(cells[1], 20) + " " + left(cells[2], 8) + " " + left(cells[3], 20) + " " + left(cells[4], 8)
        + " " + left(cells[5], 20) + " " + left(cells[6], 8) + " " + left(cells[7], 20) + " " + left(cells[8], 8) + "\n"
    }
    func number(_ value: UInt64) -> String { left(String(value), 20) }
    func share(_ part: UInt64, _ whole: UInt64) -> String { cFormat("(%6.02f)", percent(part, whole)) }
    out += header(["Type", "N", "(%)", "Record size", "(%)", "FPI size", "(%)", "Combined size", "(%)"])
    out += header(["----", "-", "---", "-----------", "---", "--------", "---", "-------------", "---"])
    for (name, bucket) in rows {
      let both = bucket.recordLength + bucket.fullPageImageLength
      out += pad(name, 27) + " " + number(bucket.count) + " " + share(bucket.count, count) + " " + number(bucket.recordLength)
        + " " + share(bucket.recordLength, rec) + " " + number(bucket.fullPageImageLength) + " "
        + share(bucket.fullPageImageLength, fpi) + " " + number(both) + " " + share(both, combined) + "\n"
    }
    out += pad("", 27) + " " + left("--------", 20) + " " + left("", 8) + " " + left("--------", 20) + " " + left("", 8) + " "
      + left("--------", 20) + " " + left("", 8) + " " + left("--------", 20) + "\n"
    out += pad("Total", 27) + " " + number(count) + " " + pad("", 9) + number(rec) + " "
      + pad(cFormat("[%.02f%%]", percent(rec, combined)), 9) + number(fpi) + " "
      + pad(cFormat("[%.02f%%]", percent(fpi, combined)), 9) + number(combined) + " " + pad("[100%]", 6) + "\n"
    return out
  }
}
