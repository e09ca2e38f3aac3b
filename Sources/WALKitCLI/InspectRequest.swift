import WALKit

/// What `inspect` is asked to do: its options as plain values, read from ArgumentParser's
/// parse (``init(_:)``) or, for the common forms, straight from the arguments
/// (``quickForm(_:)``).
struct InspectRequest {
  var startSegment: String?
  var endSegment: String?
  var path: String?
  var startLSN: LSN?
  var endLSN: LSN?
  var timeline: TimelineID?
  var limit: Int?
  var resourceManagers: [String] = []
  var xid: UInt32?
  var relation: RelFileLocator?
  var block: UInt32?
  var fork: ForkNumber?
  var fullPageImagesOnly = false
  var blockDetails = false
  var statistics = false
  var statisticsPerRecord = false
  var json = false
  var quiet = false
  var showsVersion = false
  var follow = false
  var keepGoing = false
  var saveFullPagesTo: String?
  var layout: RepositoryLayout?

  init() {}

  /// The request ArgumentParser read (and validated).
  init(_ command: Walkit.Inspect) {
    startSegment = command.startSegment
    endSegment = command.endSegment
    path = command.path
    startLSN = command.start.flatMap(LSN.init)
    endLSN = command.end.flatMap(LSN.init)
    timeline = command.timeline.map { TimelineID($0) }
    limit = command.limit.flatMap { $0 > 0 ? $0 : nil }
    resourceManagers = command.rmgr
    xid = command.xid
    relation = command.relation.flatMap(Walkit.Inspect.parseRelation)
    block = command.block
    fork = command.fork.flatMap { Walkit.Inspect.forks[$0] }
    fullPageImagesOnly = command.fullpage
    blockDetails = command.bkpDetails
    statistics = command.stats
    statisticsPerRecord = command.statsPerRecord
    json = command.json
    quiet = command.quiet
    showsVersion = command.version
    follow = command.follow
    keepGoing = command.keepGoing
    saveFullPagesTo = command.saveFullpage
    layout = command.layoutOptions.repositoryLayout
  }

  /// `inspect` followed by one or two segment files and nothing but the flags that take no
  /// value (`--stats`, `--stats=record`, `--json`, `-q`, `-b`, `-w`, `--keep-going`): a look at
  /// a segment or two, read here rather than by ArgumentParser, whose reflection over the
  /// commands costs about 2 ms a run (docs/benchmarks.md). Anything else is left to
  /// ArgumentParser, `nil` here. `arguments` are already in walkit's spellings
  /// (``PgWaldumpSpellings``).
  static func quickForm(_ arguments: [String]) -> InspectRequest? {
    guard arguments.first == "inspect" else { return nil }
    var request = InspectRequest()
    var segments: [String] = []
    for argument in arguments.dropFirst() {
      switch argument {
      case "-z", "--stats": request.statistics = true
      case "--stats-per-record": request.statisticsPerRecord = true
      case "--json": request.json = true
      case "-q", "--quiet": request.quiet = true
      case "-b", "--bkp-details": request.blockDetails = true
      case "-w", "--fullpage": request.fullPageImagesOnly = true
      case "--keep-going": request.keepGoing = true
      default:
        guard !argument.hasPrefix("-") else { return nil }
        segments.append(argument)
      }
    }
    guard (1...2).contains(segments.count) else { return nil }
    request.startSegment = segments[0]
    request.endSegment = segments.count == 2 ? segments[1] : nil
    return request
  }
}
