// swift-tools-version:6.0
import PackageDescription

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
      linkerSettings: [
        .linkedLibrary("z"), .linkedLibrary("lz4"), .linkedLibrary("zstd"), .linkedLibrary("bz2"),
        .linkedLibrary("lzma"), .linkedLibrary("brotlidec"), .linkedLibrary("crypto"), .linkedLibrary("deflate"),
      ]
    ),
    .target(
      name: "WALKit",
      dependencies: ["CWALSupport"]
    ),
    .executableTarget(
      name: "WALKitCLI",
      dependencies: [
        "WALKit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      // The Swift runtime linked in, not loaded: a run on one segment starts in 4 ms, not 7.
      // (The linker then repeats glibc's warning about `mktemp`, used by Foundation's file
      // writing, which walkit does not call.) The tests run this binary, so they do not link it.
      linkerSettings: [.unsafeFlags(["-static-stdlib", "-l_FoundationCollections", "-l_FoundationCShims"], .when(platforms: [.linux]))]
    ),
    .testTarget(
      name: "WALKitTests",
      dependencies: ["WALKit"]
    ),
    .testTarget(
      name: "WALKitCLITests",
      dependencies: ["WALKit"]
    ),
  ]
)
