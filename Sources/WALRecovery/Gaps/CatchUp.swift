import WALCore
import WALIO
import WALReader

/// Whether a standby that fell behind can catch up from its primary: stream everything from
/// the primary's `pg_wal`, restore the segments the primary no longer has from the archive
/// first, or not at all — and which replication slot, if any, keeps WAL for it.
public struct CatchUp: Sendable {
  public enum Verdict: String, Sendable {
    /// The primary still has every segment from the standby's start.
    case streams = "resume streaming"
    /// Segments that neither the primary nor the standby's own pg_wal has are in the archive:
    /// restore those, then stream.
    case restoresThenStreams = "restore from the archive, then stream"
    /// Some segment is in no source.
    case cannotCatchUp = "cannot catch up"
  }

  /// Consecutive segments of one timeline.
  public struct SegmentRange: Sendable {
    public var first: SegmentName
    public var last: SegmentName
    public var count: UInt64
  }

  public var verdict: Verdict
  /// The primary's data directory and its `pg_wal`.
  public var primary: String
  public var primaryWAL: String
  /// Segments on the path that the archive has and neither the primary's nor the standby's own
  /// `pg_wal` does, in order.
  public var archiveOnly: [SegmentRange]
  /// The primary's replication slots, and the state files that could not be read.
  public var slots: [ReplicationSlot]
  public var slotFailures: [ReplicationSlot.Failure]
  /// A physical slot that keeps the primary from removing what the standby must stream: the
  /// primary keeps every segment from its `restart_lsn`'s on, and the standby streams from the
  /// last segment its own `pg_wal` holds (contiguous from its start) on.
  public var holdingSlot: ReplicationSlot?
  /// WAL to replay from the start to where replay gets, and the segments it lies in.
  public var bytesToReplay: UInt64
  public var segmentsToReplay: UInt64

  init(report: GapReport, primary: String, primaryWAL: String, ownWAL: String?, geometry: WALGeometry) {
    self.primary = primary
    self.primaryWAL = primaryWAL
    (slots, slotFailures) = ReplicationSlot.all(inDataDirectory: primary)
    let own = Set(((try? WALInputs(paths: ownWAL.map { [$0] } ?? [], layout: .flat))?.files ?? []).compactMap(\.name))
    var streamsFrom = geometry.segment(containing: report.start.lsn)
    while let next = SegmentName(timeline: report.start.timeline, segment: SegmentNumber(streamsFrom.rawValue + 1), geometry: geometry),
      own.contains(next)
    {
      streamsFrom = SegmentNumber(streamsFrom.rawValue + 1)
    }
    holdingSlot = slots.filter { slot in
      slot.isPhysical && slot.restartLSN.map { geometry.segment(containing: $0) <= streamsFrom } == true
    }.max { ($0.restartLSN ?? .invalid) < ($1.restartLSN ?? .invalid) }
    let local = [primaryWAL, ownWAL].compactMap { $0 }
    let withoutArchive = Set(((try? WALInputs(paths: local, layout: .flat))?.files ?? []).filter { !$0.isPartial }.compactMap(\.name))
    var ranges: [SegmentRange] = []
    var replayed: UInt64 = 0
    for step in report.path where step.status != .recycled && step.status != .unused && step.status != .missing {
      if let begin = geometry.startLSN(of: step.step.segment), begin < report.reachableLSN { replayed &+= step.step.count }
      guard step.step.file != nil, !withoutArchive.contains(step.step.name) else { continue }
      if let last = ranges.last, last.last.timeline == step.step.name.timeline,
        last.last.segment(in: geometry).map({ $0.rawValue + 1 }) == step.step.segment.rawValue
      {
        ranges[ranges.count - 1].last = step.step.name
        ranges[ranges.count - 1].count += 1
      } else {
        ranges.append(SegmentRange(first: step.step.name, last: step.step.name, count: 1))
      }
    }
    archiveOnly = ranges
    bytesToReplay = report.reachableLSN.distance(from: report.start.lsn)
    segmentsToReplay = replayed
    verdict = !report.continuous ? .cannotCatchUp : ranges.isEmpty ? .streams : .restoresThenStreams
  }
}
