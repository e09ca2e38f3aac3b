import Foundation

/// A temporary directory for a test, removed when the test ends.
final class Scratch {
  let url: URL
  var path: String { url.path }

  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("walkit-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  deinit {
    // rm is much faster than FileManager on directories of many files.
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/rm")
    process.arguments = ["-rf", url.path]
    if (try? process.run()) != nil { process.waitUntilExit() } else { try? FileManager.default.removeItem(at: url) }
  }

  /// Copies files into the scratch directory, keeping their names; returns the new paths.
  @discardableResult
  func copy(_ paths: [String], into subdirectory: String = "") throws -> [String] {
    let directory = subdirectory.isEmpty ? url : url.appendingPathComponent(subdirectory)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return try paths.map { path in
      let target = directory.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent)
      try FileManager.default.copyItem(atPath: path, toPath: target.path)
      return target.path
    }
  }

  func file(_ name: String) -> String { url.appendingPathComponent(name).path }

  static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

  static func write(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  /// Rewrites a file through `change`.
  static func patch(_ path: String, _ change: (inout [UInt8]) -> Void) throws {
    var bytes = try bytes(path)
    change(&bytes)
    try write(bytes, to: path)
  }
}
