// swift-tools-version:6.1
import PackageDescription

/// PixelPipe: an image pipeline as serverless functions, and the emulator that runs it locally.
/// Layout: `Runtime/` (library; `Runtime/Imaging` is the imaging module), `Functions/` (one
/// executable per stage), `Emulator/`, `Tests/`, `Benchmarks/`; README.md explains each.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// What every function binary links: the Runtime and the logging API its handlers use.
let functionDependencies: [Target.Dependency] = ["Runtime", .product(name: "Logging", package: "swift-log")]

let package = Package(
    name: "PixelPipe",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Runtime", targets: ["Runtime"]),
        .executable(name: "ingest", targets: ["Ingest"]),
        .executable(name: "populate", targets: ["Populate"]),
        .executable(name: "process", targets: ["ProcessStage"]),
        .executable(name: "teardown", targets: ["Teardown"]),
        .executable(name: "emulator", targets: ["Emulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
    ],
    targets: [
        // C bridges: the system libraries through pkg-config, plus non-variadic wrappers that
        // Swift can call (curl_easy_setopt and the vips_* operations are C varargs).
        .systemLibrary(
            name: "CCurl",
            path: "Runtime/CBridges/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(name: "CCurlShims", dependencies: ["CCurl"], path: "Runtime/CBridges/CCurlShims"),
        .systemLibrary(
            name: "CVips",
            path: "Runtime/CBridges/CVips",
            pkgConfig: "vips",
            providers: [.apt(["libvips-dev"])]
        ),
        .target(name: "CVipsShims", dependencies: ["CVips"], path: "Runtime/CBridges/CVipsShims"),
        // prctl(PR_SET_PDEATHSIG), for the emulator's service processes (prctl is varargs too).
        .target(name: "CProcessShims", path: "Runtime/CBridges/CProcessShims"),

        .target(
            name: "Runtime",
            // libvips is deliberately absent: linking it costs ~40 ms of dynamic loading per process
            // start, so only the `process` binary links it (through the imaging module).
            dependencies: [
                "CCurlShims",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Runtime",
            exclude: ["CBridges", "Imaging"],
            swiftSettings: swiftSettings
        ),

        // The imaging engine (libvips). A module of its own so that only the binaries that
        // process images link libvips and its hundred shared libraries.
        .target(
            name: "Imaging",
            dependencies: ["Runtime", "CVipsShims", .product(name: "Logging", package: "swift-log")],
            path: "Runtime/Imaging",
            swiftSettings: swiftSettings
        ),

        .executableTarget(name: "Ingest", dependencies: functionDependencies, path: "Functions/Ingest", swiftSettings: swiftSettings),
        .executableTarget(name: "Populate", dependencies: functionDependencies, path: "Functions/Populate", swiftSettings: swiftSettings),
        // Not called `Process`: that name would shadow Foundation.Process.
        .executableTarget(name: "ProcessStage", dependencies: functionDependencies + ["Imaging"], path: "Functions/Process", swiftSettings: swiftSettings),
        .executableTarget(name: "Teardown", dependencies: functionDependencies, path: "Functions/Teardown", swiftSettings: swiftSettings),

        .executableTarget(
            name: "Emulator",
            dependencies: [
                "Runtime",
                "CProcessShims",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Emulator",
            swiftSettings: swiftSettings
        ),

        // A function binary built on Runtime whose handler can be told to be slow or to fail;
        // the live tests use it to observe draining and status mapping from outside.
        .executableTarget(name: "FunctionFixture", dependencies: functionDependencies, path: "Tests/FunctionFixture", swiftSettings: swiftSettings),

        .executableTarget(
            name: "ColdStartBenchmark",
            dependencies: ["Runtime"],
            path: "Benchmarks/ColdStart",
            exclude: ["python"],
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "EmulatorAPIBenchmark",
            dependencies: ["BenchmarkSupport", "Runtime"],
            path: "Benchmarks/EmulatorAPI",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "DispatchBenchmark",
            dependencies: [
                "BenchmarkSupport", "Runtime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/Dispatch",
            swiftSettings: swiftSettings
        ),

        // Helpers the test targets share: child processes, servers on port 0, free ports.
        .target(
            name: "TestSupport",
            dependencies: [
                "Runtime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),

        // What the benchmarks that run the emulator binary share.
        .target(name: "BenchmarkSupport", dependencies: ["Imaging", "Runtime", "CVipsShims"], path: "Benchmarks/Support", swiftSettings: swiftSettings),

        // The pipeline end to end against the imaging engine alone, and ingest of a 1M-row CSV:
        // `swift build -c release && .build/release/PipelineBenchmark`.
        .executableTarget(
            name: "PipelineBenchmark",
            dependencies: [
                "BenchmarkSupport", "Imaging", "Runtime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/Pipeline",
            swiftSettings: swiftSettings
        ),

        // Drop-to-trigger latency against the release emulator binary.
        .executableTarget(
            name: "TriggerLatencyBenchmark",
            dependencies: [
                "BenchmarkSupport", "Runtime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/TriggerLatency",
            swiftSettings: swiftSettings
        ),

        // Teardown of a 1,000,000-item job against the release emulator and teardown binaries:
        // `swift build -c release && .build/release/TeardownBenchmark`.
        .executableTarget(
            name: "TeardownBenchmark",
            dependencies: ["BenchmarkSupport", "Runtime"],
            path: "Benchmarks/Teardown",
            swiftSettings: swiftSettings
        ),

        // Reading a 1M-row CSV in 1 MiB chunks: `swift run -c release CSVBenchmark`.
        .executableTarget(
            name: "CSVBenchmark",
            dependencies: ["Runtime"],
            path: "Benchmarks/CSV",
            swiftSettings: swiftSettings
        ),

        // In-process imaging against the vips CLI: `swift run -c release ImagingBenchmark`.
        .executableTarget(
            name: "ImagingBenchmark",
            dependencies: ["BenchmarkSupport", "Imaging", "Runtime", "CVipsShims"],
            path: "Benchmarks/Imaging",
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "RuntimeTests",
            dependencies: [
                "Runtime",
                "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/RuntimeTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ImagingTests",
            dependencies: ["Imaging", "Runtime", "CVipsShims", "TestSupport"],
            path: "Tests/ImagingTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EmulatorTests",
            dependencies: [
                "Emulator",
                "Runtime",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/EmulatorTests",
            swiftSettings: swiftSettings
        ),
        // The chaos suite: a job under emulator up attacked while it runs (kills, restarts, an
        // image host outage, a full disk); run by scripts/test in a pass of its own.
        .testTarget(
            name: "ChaosTests",
            dependencies: [
                "Runtime",
                "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ChaosTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            // Hummingbird serves the test images; Crypto recomputes a trigger's ce-id to redeliver it;
            // GRDB reads the emulator's database directly to count writes per document.
            dependencies: [
                "Runtime",
                "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Tests/EndToEndTests",
            swiftSettings: swiftSettings
        ),
    ]
)
