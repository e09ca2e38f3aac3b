import WALCore
import WALIO

extension WALGeometry {
  /// The geometry the long header of the first of `files` that has one announces; `nil` when
  /// none of them starts like a WAL segment.
  public static func announced(by files: some Sequence<WALFile>) -> WALGeometry? {
    for file in files {
      guard let data = try? SegmentData.load(path: file.path, inflateLimit: SegmentData.announcedSegmentSize, prefix: 8192,
                                                named: file.compressionByName),
        let header = PageHeader(decoding: data.bytes), WALVersion(pageMagic: header.magic) != nil, let long = header.long,
        let geometry = WALGeometry(segmentSize: UInt64(long.segmentSize), pageSize: UInt64(long.pageSize))
      else { continue }
      return geometry
    }
    return nil
  }
}
