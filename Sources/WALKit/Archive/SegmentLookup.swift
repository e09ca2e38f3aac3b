/// Finds and opens the file of a named segment among listed files, for records that continue
/// from one segment into the next. A full segment is preferred to a `.partial` of the same name.
struct SegmentLookup: Sendable {
  private let files: [WALFile]
  private let indexByName: [SegmentName: Int]

  init(_ files: [WALFile]) {
    var byName: [SegmentName: Int] = [:]
    for (index, file) in files.enumerated() {
      guard let name = file.name else { continue }
      if let existing = byName[name], !files[existing].isPartial { continue }
      byName[name] = index
    }
    self.files = files
    indexByName = byName
  }

  /// The named segment's data, or `nil` when it is absent or unreadable (its own reading
  /// reports why).
  func data(for name: SegmentName) -> SegmentData? {
    guard let index = indexByName[name] else { return nil }
    return SegmentData.loadFollowing(path: files[index].path)
  }

  /// Reads `file` with `scanner`, turning a file that cannot be opened into a scan that says so.
  func scan(_ file: WALFile, with scanner: SegmentScanner, visit: ((WALRecord) -> Void)? = nil) -> SegmentScan {
    do {
      let data = try SegmentData.load(path: file.path, inflateLimit: SegmentData.announcedSegmentSize)
      return scanner.scan(data, file: file.path, name: file.name, following: data(for:), visit: visit)
    } catch {
      var scan = SegmentScan(file: file.path, name: file.name)
      scan.stopProblem = error.located(file: file.path, segment: file.name)
      scan.isCompressed = file.isCompressedByName
      return scan
    }
  }
}
