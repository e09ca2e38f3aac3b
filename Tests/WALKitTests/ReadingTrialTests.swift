import Foundation
import Testing
@testable import WALKit
@testable import WALReader

/// A run over many plain segments times streaming and mapping on its first ones and reads the
/// rest the faster way; the verdicts must not depend on the way.
/// Trials are made with mapping allowed whatever ``SegmentData/mappingAllowed`` is meanwhile (a
/// test of another suite turns it off for a moment).
@Suite struct ReadingTrialTests {
  /// A short run reads the guessed way from its first file; a way named is taken at once, and
  /// where mapping is not allowed, streaming.
  @Test func aShortRunOrANamedWayHasNoTrial() {
    let short = ReadingTrial(plainFiles: ReadingTrial.shortestRun - 1, workers: 2, forced: nil, mappingAllowed: true)
    #expect(short.chosen == short.guess)
    #expect(short.begin().access == short.guess)
    #expect(ReadingTrial(plainFiles: ReadingTrial.shortestRun, workers: 2, forced: nil, mappingAllowed: true).chosen == nil)
    #expect(ReadingTrial(plainFiles: 1000, workers: 2, forced: .streamed).chosen == .streamed)
    #expect(ReadingTrial(plainFiles: 1, workers: 2, forced: .mapped).begin().access == .mapped)
    #expect(ReadingTrial(plainFiles: 1000, workers: 2, forced: nil, mappingAllowed: false).chosen == .streamed)
  }

  /// The guess follows the processor's maker, as measured (docs/benchmarks.md).
  @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/cpuinfo")))
  func theProcessorsWayFollowsItsMaker() throws {
    let cpuInfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
    #expect(ReadingTrial.processorGuess == (cpuInfo.contains("GenuineIntel") ? .mapped : .streamed))
  }

  /// The workers' first files are read the guessed way untimed (each may allocate a worker's
  /// buffer); then the other way is tried on one file at a time, the guess timed in between,
  /// and files handed out once the guess has its count, or whose records go to a visitor, are
  /// read the guessed way untimed.
  @Test func theOtherWayIsTriedOneFileAtATimeAfterTheWarmUp() {
    let trial = ReadingTrial(plainFiles: 100, workers: 2, forced: nil, mappingAllowed: true)
    let other: SegmentData.Access = trial.guess == .mapped ? .streamed : .mapped
    let visited = trial.begin(timed: false)
    #expect(visited.access == trial.guess)
    let warmUp = (0..<2).map { _ in trial.begin() }
    #expect(warmUp.map(\.access) == [trial.guess, trial.guess] && warmUp.allSatisfy { !$0.isTimed })
    let firstTry = trial.begin()
    #expect(firstTry.access == other && firstTry.isTimed)
    let meanwhile = (0..<(ReadingTrial.timedPerWay + 2)).map { _ in trial.begin() }
    #expect(meanwhile.map(\.access) == Array(repeating: trial.guess, count: ReadingTrial.timedPerWay + 2))
    #expect(meanwhile.map(\.isTimed) == Array(repeating: true, count: ReadingTrial.timedPerWay) + [false, false])
    trial.finish(other, nanosecondsPerByte: 1)
    let secondTry = trial.begin()
    #expect(secondTry.access == other && secondTry.isTimed)
    let afterwards = trial.begin()
    #expect(afterwards.access == trial.guess && !afterwards.isTimed)
    #expect(trial.chosen == nil)
  }

  /// Each way is judged by its fastest segment, per byte (a segment that met a cold cache or a
  /// preempted thread says little), and mapping must beat streaming by the margin.
  @Test(arguments: [
    ([3.0, 2.9], [2.4, 9.0], SegmentData.Access.mapped),
    ([3.0, 2.0], [2.4, 2.3], SegmentData.Access.streamed),
    ([2.0, 2.0], [1.95, 1.95], SegmentData.Access.streamed),
  ])
  func theFasterWayIsChosen(streamed: [Double], mapped: [Double], expected: SegmentData.Access) {
    let trial = ReadingTrial(plainFiles: 100, workers: 0, forced: nil, mappingAllowed: true)
    for (streamedTime, mappedTime) in zip(streamed, mapped) {
      #expect(trial.chosen == nil)
      let ways = [trial.begin().access, trial.begin().access]
      #expect(ways.contains(.streamed) && ways.contains(.mapped))
      trial.finish(.streamed, nanosecondsPerByte: streamedTime)
      trial.finish(.mapped, nanosecondsPerByte: mappedTime)
    }
    #expect(trial.chosen == expected)
    #expect(trial.begin().access == expected)
  }

  /// Only whole segments read cleanly count: one that stopped at its first page (a recycled or
  /// foreign file) takes no time and would make its way look fastest. The trial reads more
  /// until each way has its count, and gives up (keeping the guess) after so many.
  @Test func aSegmentThatStoppedEarlyIsNotCounted() throws {
    let path = Fixture.plainSets[0].segmentPaths[0]
    let whole = SegmentLookup([]).scan(WALFile(path: path, name: nil), with: SegmentScanner(), access: .read)
    try #require(whole.problems.isEmpty && whole.validThrough != nil, "\(path): \(whole.ending)")
    var stopped = whole
    stopped.ending = .stopped(at: LSN(0))

    let trial = ReadingTrial(plainFiles: 100, workers: 0, forced: nil, mappingAllowed: true)
    for _ in 0..<(2 * ReadingTrial.timedPerWay) { trial.begin().finished(stopped) }
    #expect(trial.chosen == nil)
    var readings = 0
    while trial.chosen == nil, readings < 100 {
      let reading = trial.begin()
      reading.finished(whole)
      readings += 1
    }
    #expect(trial.chosen != nil)
    #expect(readings == 2 * ReadingTrial.timedPerWay)

    let fruitless = ReadingTrial(plainFiles: 100, workers: 0, forced: nil, mappingAllowed: true)
    for _ in 0..<ReadingTrial.longestTrial { fruitless.begin().finished(stopped) }
    #expect(fruitless.chosen == nil)
    #expect(fruitless.begin().access == fruitless.guess)
    #expect(fruitless.chosen == fruitless.guess)
  }

  /// Forty whole segments read as verify reads them, the trial's ways mixed: every scan is the
  /// one reading the file whole gives, and a way is chosen.
  @Test func scansAreTheSameWhicheverWayEachFileWasRead() throws {
    let scratch = try Scratch()
    let sources = Fixture.plainSets[0].segmentPaths
    try #require(!sources.isEmpty)
    let files = try (1...40).map { number in
      let path = scratch.url.appendingPathComponent("copy-\(number)").path
      try FileManager.default.copyItem(atPath: sources[number % sources.count], toPath: path)
      return WALFile(path: path, name: nil)
    }
    let lookup = SegmentLookup(files, readers: 2)
    let scans = files.map { lookup.scan($0, with: SegmentScanner(), access: .streamed) }
    #expect(lookup.chosenReading != nil, "\(scans.map(\.ending))")
    let reference = SegmentLookup(files)
    for (file, scan) in zip(files, scans) {
      let whole = reference.scan(file, with: SegmentScanner(), access: .read)
      #expect(String(describing: scan) == String(describing: whole), "\(file.path)")
    }
  }
}
