import ArgumentParser

/// Exit codes, the same for every walkit command.
enum ExitStatus {
  /// Nothing wrong.
  static let clean: Int32 = 0
  /// Ran to the end and found problems, gaps or differences.
  static let problemsFound: Int32 = 1
  /// Could not finish: missing or unreadable input, an I/O error.
  static let couldNotFinish: Int32 = 2
  /// Usage error (`EX_USAGE`).
  static let usage: Int32 = 64

  static let helpText = """
    Exit status:
      0   nothing wrong
      1   ran to the end and found problems, gaps or differences
      2   could not finish (missing or unreadable input, I/O error)
      64  usage error
    """
}
