/// pg_waldump's command-line spellings, rewritten to walkit's: `--stats=record`, `--stats=rmgr`,
/// and getopt's short options with the value attached (`-n10`, `-s0/A000028`, `-tl`).
enum PgWaldumpSpellings {
  /// Short options of `inspect` that take a value, as pg_waldump's getopt string has them.
  static let valued: Set<Character> = ["n", "s", "e", "t", "p", "r", "x", "R", "B", "F", "j"]

  static func normalize(_ arguments: [String]) -> [String] {
    var result: [String] = []
    var afterDoubleDash = false
    for argument in arguments {
      if afterDoubleDash { result.append(argument); continue }
      switch argument {
      case "--": afterDoubleDash = true; result.append(argument)
      case "--stats=record": result.append("--stats-per-record")
      case "--stats=rmgr": result.append("--stats")
      default:
        let characters = Array(argument)
        if characters.count > 2, characters[0] == "-", characters[1] != "-", valued.contains(characters[1]) {
          result.append(String(characters[0...1]))
          result.append(String(characters[2...]))
        } else {
          result.append(argument)
        }
      }
    }
    return result
  }
}
