import Foundation
import Testing
@testable import WALKit
@testable import WALReader

/// A run over many plain segments times streaming and mapping on its first ones and reads the
/// rest the faster way; the verdicts must not depend on the way.
@Suite struct ReadingTrialTests {
  /// A short run reads the machine's way from its first file; a way named is taken at once.
  @Test func aShortRunOrANamedWayHasNoTrial() {
    #expect(ReadingTrial(plainFiles: ReadingTrial.shortestRun - 1, workers: 2, forced: nil).chosen == ReadingTrial.machineGuess)
    #expect(ReadingTrial(plainFiles: ReadingTrial.shortestRun - 1, workers: 2, forced: nil).nextAccess() == (ReadingTrial.machineGuess, false))
    #expect(ReadingTrial(plainFiles: ReadingTrial.shortestRun, workers: 2, forced: nil).chosen == nil)
    #expect(ReadingTrial(plainFiles: 1000, workers: 2, forced: .streamed).chosen == .streamed)
    #expect(ReadingTrial(plainFiles: 1, workers: 2, forced: .mapped).nextAccess() == (.mapped, false))
  }

  /// The guess follows the processor's maker, as measured (docs/benchmarks.md).
  @Test func theMachinesWayFollowsItsProcessor() throws {
    try #require(ReadingTrial.forced == nil)
    let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let isIntel = cpuInfo.contains("GenuineIntel")
    #expect(ReadingTrial.machineGuess == (isIntel ? .mapped : .streamed))
  }

  /// The workers' first files are read the machine's way untimed (what is made once is made
  /// then), then the two ways alternate, timed, and files handed out before every time is in
  /// are read the machine's way.
  @Test func theTrialAlternatesAfterTheWarmUp() {
    let trial = ReadingTrial(plainFiles: 100, workers: 2, forced: nil)
    let handedOut = (0..<(2 + 2 * ReadingTrial.timedPerWay + 2)).map { _ in trial.nextAccess() }
    let ways = handedOut.map { $0.access }
    let timed = handedOut.map { $0.isTimed }
    #expect(Array(ways.prefix(2)) == [ReadingTrial.machineGuess, ReadingTrial.machineGuess] && timed.prefix(2).allSatisfy { !$0 })
    let trialWays = Array(ways[2..<(2 + 2 * ReadingTrial.timedPerWay)])
    #expect(trialWays == (0..<ReadingTrial.timedPerWay).flatMap { _ in [SegmentData.Access.streamed, .mapped] })
    #expect(timed[2..<(2 + 2 * ReadingTrial.timedPerWay)].allSatisfy { $0 })
    #expect(ways.suffix(2) == [ReadingTrial.machineGuess, ReadingTrial.machineGuess] && timed.suffix(2).allSatisfy { !$0 })
    #expect(trial.chosen == nil)
  }

  /// Each way is judged by its fastest file (a file that met a cold cache or a preempted thread
  /// says little), and mapping must beat streaming by the margin to be chosen.
  @Test(arguments: [
    ([3_000_000, 2_900_000, 3_100_000], [2_400_000, 2_300_000, 9_000_000], SegmentData.Access.mapped),
    ([3_000_000, 2_000_000, 3_100_000], [2_400_000, 2_300_000, 2_500_000], SegmentData.Access.streamed),
    ([2_000_000, 2_000_000, 2_000_000], [1_950_000, 1_950_000, 1_950_000], SegmentData.Access.streamed),
  ])
  func theFasterWayIsChosen(streamed: [UInt64], mapped: [UInt64], expected: SegmentData.Access) {
    let trial = ReadingTrial(plainFiles: 100, workers: 1, forced: nil)
    for (streamedTime, mappedTime) in zip(streamed, mapped) {
      #expect(trial.chosen == nil)
      trial.record(.streamed, nanoseconds: streamedTime)
      trial.record(.mapped, nanoseconds: mappedTime)
    }
    #expect(trial.chosen == expected)
    #expect(trial.nextAccess() == (expected, false))
  }

  /// Forty segments read as verify reads them, the trial's ways mixed: every scan is the one
  /// reading the file whole gives, problems and all (the copies lie under names not theirs).
  @Test func scansAreTheSameWhicheverWayEachFileWasRead() throws {
    let scratch = try Scratch()
    let sources = Fixture.plainSets[0].segmentPaths
    try #require(!sources.isEmpty)
    let files = try (1...40).map { number in
      let name = SegmentName(timeline: TimelineID(1), logID: 0, segmentInLog: UInt32(number))
      let path = scratch.url.appendingPathComponent(name.description).path
      try FileManager.default.copyItem(atPath: sources[number % sources.count], toPath: path)
      return WALFile(path: path, name: name)
    }
    let lookup = SegmentLookup(files, readers: 2)
    let scans = files.map { lookup.scan($0, with: SegmentScanner(), access: .streamed) }
    #expect(lookup.chosenReading != nil)
    let reference = SegmentLookup(files)
    for (file, scan) in zip(files, scans) {
      let whole = reference.scan(file, with: SegmentScanner(), access: .read)
      #expect(String(describing: scan) == String(describing: whole), "\(file.path)")
    }
  }
}
