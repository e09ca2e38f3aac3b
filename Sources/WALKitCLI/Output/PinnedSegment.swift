#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WALKit

/// The segment `inspect --follow` stopped in, held open between passes. PostgreSQL recycles a
/// finished segment by renaming it, possibly before the follower has read its last records;
/// the open file still holds them, as pg_waldump's open file does.
struct PinnedSegment {
  let name: SegmentName
  let descriptor: Int32
  /// The path the open file is read through, whatever its name is now.
  var path: String { "/dev/fd/\(descriptor)" }

  /// `nil` when the file cannot be opened (then nothing is pinned).
  init?(_ file: WALFile) {
    guard let name = file.name, !file.isPartial, file.compressionByName == nil else { return nil }
    let descriptor = open(file.path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    self.name = name
    self.descriptor = descriptor
  }

  func close() {
    #if canImport(Glibc)
    _ = Glibc.close(descriptor)
    #else
    _ = Darwin.close(descriptor)
    #endif
  }

  /// Puts the open file in for its segment when the listing no longer has the segment.
  func standIn(in inputs: inout WALInputs) {
    guard !inputs.files.contains(where: { $0.name == name && !$0.isPartial }) else { return }
    inputs.files.append(WALFile(path: path, name: name, isInLiveDirectory: inputs.files.first?.isInLiveDirectory ?? true))
    inputs.files.sort { ($0.name?.description ?? "") < ($1.name?.description ?? "") }
  }
}
