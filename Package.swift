// swift-tools-version:6.0
import Foundation
import PackageDescription

/// Release flags that link the C++ runtime under the Swift runtime (libstdc++, and libgcc's
/// unwinder) into walkit instead of loading it: loading them and running their initialisers
/// took 0.6 ms of the 2.7 walkit took to start on an Intel Xeon VM (docs/benchmarks.md). Only
/// where the GCC installation clang links with (the newest that has `crtbegin.o`) has both
/// archives; `Linking/libstdc++.so` turns the Swift runtime's `-lstdc++` into the archive.
/// `WALKIT_DYNAMIC_CXX=1` keeps the shared libraries (a build for another machine, whose
/// libraries this one cannot see).
let staticCxxRuntime: [String] = {
  guard Context.environment["WALKIT_DYNAMIC_CXX"] != "1" else { return [] }
  #if arch(arm64)
  let gccRoot = "/usr/lib/gcc/aarch64-linux-gnu"
  #else
  let gccRoot = "/usr/lib/gcc/x86_64-linux-gnu"
  #endif
  let versions = (try? FileManager.default.contentsOfDirectory(atPath: gccRoot)) ?? []
  let newest = versions.filter { FileManager.default.fileExists(atPath: "\(gccRoot)/\($0)/crtbegin.o") }
    .max { $0.compare($1, options: .numeric) == .orderedAscending }
  guard let newest, ["libstdc++.a", "libgcc_eh.a"].allSatisfy({ FileManager.default.fileExists(atPath: "\(gccRoot)/\(newest)/\($0)") })
  else { return [] }
  return ["-L", Context.packageDirectory + "/Linking", "-Xclang-linker", "-static-libgcc"]
}()

let package = Package(
  name: "walkit",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "WALKit", targets: ["WALKit"]),
    .executable(name: "walkit", targets: ["WALKitCLI"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
  ],
  targets: [
    .target(
      name: "CWALSupport",
      // zlib is the one library linked; the other codecs and SHA-1 are loaded when first needed.
      linkerSettings: [.linkedLibrary("z"), .linkedLibrary("dl"), .linkedLibrary("pthread")]
    ),
    // The layers, each using only those above it: values and formats; reading bytes from disk;
    // reading records and judging a set of files; describing records; recovery analysis.
    .target(name: "WALCore", dependencies: ["CWALSupport"]),
    .target(name: "WALIO", dependencies: ["WALCore", "CWALSupport"]),
    .target(name: "WALReader", dependencies: ["WALCore", "WALIO", "CWALSupport"]),
    .target(name: "WALDescriptions", dependencies: ["WALCore", "CWALSupport"]),
    .target(name: "WALRecovery", dependencies: ["WALCore", "WALIO", "WALReader", "WALDescriptions"]),
    .target(name: "WALKit", dependencies: ["WALCore", "WALIO", "WALReader", "WALDescriptions", "WALRecovery"]),
    .executableTarget(
      name: "WALKitCLI",
      dependencies: [
        "WALKit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      // The Swift runtime linked in, not loaded: a run on one segment starts in 4 ms, not 7.
      // (The linker then repeats glibc's warning about `mktemp`, used by Foundation's file
      // writing, which walkit does not call.) The tests run this binary, so they do not link it.
      linkerSettings: [
        .unsafeFlags(["-static-stdlib", "-l_FoundationCollections", "-l_FoundationCShims"], .when(platforms: [.linux])),
        .unsafeFlags(staticCxxRuntime, .when(platforms: [.linux], configuration: .release)),
      ]
    ),
    .testTarget(
      name: "WALKitTests",
      dependencies: ["WALKit", "WALCore", "WALIO", "WALReader", "WALDescriptions", "WALRecovery"]
    ),
    .testTarget(
      name: "WALKitCLITests",
      dependencies: ["WALKit"]
    ),
  ]
)
