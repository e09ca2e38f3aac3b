/// A path that could not be read at all.
public struct WALInputsError: Swift.Error, Sendable, CustomStringConvertible {
  public var path: String
  public var reason: String
  public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }

  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  /// The paths hold no segment: ``WALInputs/nothingToRead(in:)`` says what was looked for.
  public static func nothingToRead(in paths: [String]) -> WALInputsError {
    WALInputsError(path: "", reason: WALInputs.nothingToRead(in: paths))
  }
}
