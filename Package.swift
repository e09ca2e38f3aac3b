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
      cSettings: [.unsafeFlags(["-O3"])],
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
      ]
    ),
    .testTarget(
      name: "WALKitTests",
      dependencies: ["WALKit"]
    ),
    .testTarget(
      name: "WALKitCLITests",
      dependencies: ["WALKitCLI", "WALKit"]
    ),
  ]
)
