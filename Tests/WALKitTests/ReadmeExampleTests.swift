import Foundation
import Testing
import WALKit

/// The library example in README.md, compiled and run. `readmeExampleMatchesThisFile` keeps
/// the two copies the same.
@Suite struct ReadmeExampleTests {
  // README-EXAMPLE-BEGIN
  /// Counts the full-page images per resource manager in a WAL directory.
  func fullPageImages(in directory: String) throws -> (counts: [String: Int], problems: [WALProblem]) {
    let stream = try WALStream(paths: [directory])
    var counts: [String: Int] = [:]
    let report = stream.forEachRecord { record in
      for block in record.blocks where block.hasImage {
        counts[record.resourceManager.name, default: 0] += 1
      }
    }
    return (counts, report.problems)
  }
  // README-EXAMPLE-END

  @Test func exampleRunsOnRealWAL() throws {
    let (counts, problems) = try fullPageImages(in: Fixture.path("pg15/archive"))
    #expect(problems.isEmpty)
    // pg_waldump -b of this set showed 146 + 61 + 107 compressed images among others.
    #expect(counts["Heap", default: 0] > 0)
    #expect(counts.values.reduce(0, +) >= 314)
  }

  @Test func readmeExampleMatchesThisFile() throws {
    let source = try String(contentsOfFile: #filePath, encoding: .utf8)
    let readme = try String(contentsOf: Fixture.root.appendingPathComponent("README.md"), encoding: .utf8)
    let example = try #require(source.components(separatedBy: "// README-EXAMPLE-BEGIN\n").last?
      .components(separatedBy: "  // README-EXAMPLE-END").first)
    let unindented = example.split(separator: "\n", omittingEmptySubsequences: false)
      .map { $0.hasPrefix("  ") ? String($0.dropFirst(2)) : String($0) }.joined(separator: "\n")
    #expect(readme.contains("```swift\nimport WALKit\n\n" + unindented + "```"))
  }
}
