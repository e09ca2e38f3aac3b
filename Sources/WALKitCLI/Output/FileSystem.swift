import Foundation

/// The few file-system questions the CLI asks before handing paths to the library.
enum FileSystem {
  static func isDirectory(_ path: String) -> Bool {
    var directory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
  }
}
