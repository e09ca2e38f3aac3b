import ArgumentParser
import WALKit

/// `inspect --save-fullpage DIR`: writes each restored full-page image as a page file named as
/// pg_waldump 16+ names them, `TLI-LSNHI-LSNLO.SPC.DB.REL.BLK_FORK`. The only place walkit
/// writes, and only into a directory that is new or empty.
final class FullPageWriter {
  let directory: String
  private(set) var failure: String?

  init(directory path: String) throws {
    directory = path
    if exists(path) {
      guard Syscalls.isDirectory(path), isEmptyDirectory(path) else {
        throw ValidationError("--save-fullpage directory \(path) exists and is not empty")
      }
    } else {
      try makeDirectories(path)
    }
  }

  func save(_ record: WALRecord) {
    guard failure == nil else { return }
    for block in record.blocks where block.hasImage {
      do {
        let page = try FullPageImage.restore(block, of: record)
        let name = cFormat("%08X-%08X-%08X", record.timeline.rawValue, UInt32(record.lsn.rawValue >> 32),
                          UInt32(truncatingIfNeeded: record.lsn.rawValue))
          + ".\(block.relation.tablespace).\(block.relation.database).\(block.relation.relation).\(block.blockNumber)_\(block.fork)"
        try writeNewFile(directory + "/" + name, page)
      } catch {
        failure = "cannot save the full-page image of block \(block.id) at \(record.lsn): \(error)"
        return
      }
    }
  }
}
