// swift-tools-version:6.1
import PackageDescription

/// PixelPipe's benchmarks: a package of their own so that `swift build` and `swift test` in
/// the repository never compile them. Run from this folder, on release builds, e.g.
/// `swift run -c release ImagingBenchmark`; README.md has every command and the figures.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let pixelpipe = "PixelPipe"
let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
let log = Target.Dependency.product(name: "Logging", package: "swift-log")
let lifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
func library(_ name: String) -> Target.Dependency { .product(name: name, package: pixelpipe) }

let package = Package(
    name: "PixelPipeBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: pixelpipe, path: ".."),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
    ],
    targets: [
        // What the benchmarks that run the emulator binary share.
        .target(
            name: "BenchmarkSupport",
            dependencies: [library("Imaging"), library("FunctionsFramework"), library("GoogleCloud"), library("PipelineModel"), library("PixelPipeCore")],
            path: "Support",
            swiftSettings: swiftSettings
        ),
        // Cold start of each stage binary to its first 200 (driven by cold-start.sh).
        .executableTarget(name: "ColdStartBenchmark", dependencies: [library("FunctionsFramework")], path: "ColdStart", exclude: ["python"], swiftSettings: swiftSettings),
        // Task creations per second through the emulator's Cloud Tasks API, and Pub/Sub publish and
        // pull throughput over REST and gRPC (the generated clients over grpc-swift's HTTP/2 transport).
        .executableTarget(
            name: "EmulatorAPIBenchmark",
            dependencies: ["BenchmarkSupport", library("GoogleCloud"), library("PipelineModel"), library("GoogleAPIsGRPC"),
                           .product(name: "GRPCCore", package: "grpc-swift-2"),
                           .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport")],
            path: "EmulatorAPI",
            swiftSettings: swiftSettings
        ),
        // Dispatch throughput of the emulator's queues, and the database size after a large job.
        .executableTarget(
            name: "DispatchBenchmark",
            dependencies: ["BenchmarkSupport", library("FunctionsFramework"), library("GoogleCloud"), library("PipelineModel"), library("PixelPipeCore"), hummingbird, log, lifecycle],
            path: "Dispatch",
            swiftSettings: swiftSettings
        ),
        // The pipeline end to end against the imaging engine alone, and ingest of a 1M-row CSV.
        .executableTarget(
            name: "PipelineBenchmark",
            dependencies: ["BenchmarkSupport", library("Imaging"), library("FunctionsFramework"), library("GoogleCloud"), library("PipelineModel"), library("PixelPipeCore"), hummingbird, log, lifecycle],
            path: "Pipeline",
            swiftSettings: swiftSettings
        ),
        // Drop-to-trigger latency against the release emulator binary.
        .executableTarget(
            name: "TriggerLatencyBenchmark",
            dependencies: ["BenchmarkSupport", library("FunctionsFramework"), library("GoogleCloud"), library("PixelPipeCore"), hummingbird, lifecycle, log],
            path: "TriggerLatency",
            swiftSettings: swiftSettings
        ),
        // Teardown of a 1,000,000-item job against the release emulator and teardown binaries.
        .executableTarget(
            name: "TeardownBenchmark",
            dependencies: ["BenchmarkSupport", library("FunctionsFramework"), library("GoogleCloud"), library("PipelineModel"), library("PixelPipeCore")],
            path: "Teardown",
            swiftSettings: swiftSettings
        ),
        // The jobs API: a 1,000,000-row CSV posted, and 100,000 items paged, against the release binaries.
        .executableTarget(
            name: "ApiBenchmark",
            dependencies: ["BenchmarkSupport", library("GoogleCloud"), library("PipelineModel"), library("PixelPipeCore")],
            path: "Api",
            swiftSettings: swiftSettings
        ),
        // Reading a 1M-row CSV in 1 MiB chunks.
        .executableTarget(name: "CSVBenchmark", dependencies: [library("PipelineModel"), library("PixelPipeCore")], path: "CSV", swiftSettings: swiftSettings),
        // In-process imaging against the vips CLI.
        .executableTarget(
            name: "ImagingBenchmark",
            dependencies: ["BenchmarkSupport", library("Imaging"), library("PipelineModel"), library("PixelPipeCore")],
            path: "Imaging",
            swiftSettings: swiftSettings
        ),
    ]
)
