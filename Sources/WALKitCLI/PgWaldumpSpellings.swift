/// pg_waldump's command-line spellings, rewritten to walkit's: `--stats=record`, `--stats=rmgr`,
/// getopt's short options with the value attached (`-n10`, `-s0/A000028`, `-tl`), and a negative
/// `-n` count.
enum PgWaldumpSpellings {
  /// Short options of `inspect` that take a value, as pg_waldump's getopt string has them.
  static let valued: Set<Character> = ["n", "s", "e", "t", "p", "r", "x", "R", "B", "F", "j"]

  static func normalize(_ arguments: [String]) -> [String] {
    var result: [String] = []
    var afterDoubleDash = false
    for argument in arguments {
      if afterDoubleDash { result.append(argument); continue }
      // `-n -1`: a negative count, which getopt takes as the value (no limit, as 0).
      if let last = result.last, last == "-n" || last == "--limit", argument.hasPrefix("-"), Int(argument) != nil {
        result[result.count - 1] = "--limit=" + argument
        continue
      }
      switch argument {
      case "--": afterDoubleDash = true; result.append(argument)
      case "--stats=record": result.append("--stats-per-record")
      case "--stats=rmgr": result.append("--stats")
      default:
        let characters = Array(argument)
        if characters.count > 2, characters[0] == "-", characters[1] != "-", valued.contains(characters[1]) {
          let value = String(characters[2...])
          if characters[1] == "n", value.hasPrefix("-") { result.append("--limit=" + value); continue }
          result.append(String(characters[0...1]))
          result.append(value)
        } else {
          result.append(argument)
        }
      }
    }
    return result
  }
}
