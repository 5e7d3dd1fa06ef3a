// swift-tools-version:6.1
import PackageDescription

/// PixelPipe: an image pipeline as serverless functions, and the emulator that runs it locally.
///
/// The libraries depend one way (docs/architecture.md draws the graph):
///   PixelPipeCore ← FunctionsFramework, GoogleCloud ← PipelineModel ← Imaging, the stages.
/// `Sources/` holds the libraries, `Functions/` one stage each (a library and a thin `main`),
/// `Emulator/` the emulator (a library and a thin `main`). The benchmarks are a package of
/// their own under `Benchmarks/`, so `swift build` and `swift test` never compile them.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let log = Target.Dependency.product(name: "Logging", package: "swift-log")
let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
let lifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")
let serviceContext = Target.Dependency.product(name: "ServiceContextModule", package: "swift-service-context")
let metrics = Target.Dependency.product(name: "Metrics", package: "swift-metrics")
let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")

/// What every stage library links: the framework, the Google clients and the pipeline model.
let stageDependencies: [Target.Dependency] = ["FunctionsFramework", "GoogleCloud", "PipelineModel", "PixelPipeCore", log]

/// What every stage test target links besides its stage: the in-process harness and the model.
let stageTestDependencies: [Target.Dependency] = ["StageTestSupport", "TestSupport", "FunctionsFramework", "GoogleCloud", "PipelineModel", "PixelPipeCore", log]

/// A stage: its logic as a library tests construct directly, and a thin executable.
func stage(_ name: String, folder: String, extra: [Target.Dependency] = []) -> [Target] {
    [
        .target(name: "\(name)Stage", dependencies: stageDependencies + extra, path: "Functions/\(folder)", exclude: ["Main"], swiftSettings: swiftSettings),
        .executableTarget(name: "\(name)Main", dependencies: [.target(name: "\(name)Stage"), "FunctionsFramework"], path: "Functions/\(folder)/Main", swiftSettings: swiftSettings),
    ]
}

let package = Package(
    name: "PixelPipe",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "PixelPipeCore", targets: ["PixelPipeCore"]),
        .library(name: "FunctionsFramework", targets: ["FunctionsFramework"]),
        .library(name: "GoogleCloud", targets: ["GoogleCloud"]),
        .library(name: "PipelineModel", targets: ["PipelineModel"]),
        .library(name: "Imaging", targets: ["Imaging", "CVipsShims"]),
        .library(name: "TestSupport", targets: ["TestSupport"]),
        // The generated Google API messages and gRPC stubs, for the benchmarks' gRPC clients.
        .library(name: "GoogleAPIsGRPC", targets: ["GoogleAPIsGRPC"]),
        .executable(name: "ingest", targets: ["IngestMain"]),
        .executable(name: "populate", targets: ["PopulateMain"]),
        .executable(name: "process", targets: ["ProcessMain"]),
        .executable(name: "teardown", targets: ["TeardownMain"]),
        .executable(name: "api", targets: ["ApiMain"]),
        .executable(name: "emulator", targets: ["EmulatorMain"]),
        .executable(name: "pixelpipe", targets: ["PixelPipeCLIMain"]),
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
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        // The emulator's identity service: RS256 ID tokens, their X.509 certificates, bcrypt passwords.
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        // The task-local context a job's trace travels in, from the invocation to every Google
        // API call, message, task and webhook (Hummingbird already depends on it).
        .package(url: "https://github.com/apple/swift-service-context.git", from: "1.2.0"),
        // gRPC beside REST on the emulator's port: Google's Pub/Sub, Cloud Tasks and Firestore
        // clients speak gRPC by default. The messages and service stubs are generated from
        // googleapis' protos once and committed (scripts/generate-grpc), never in the build.
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // The emulator's optional HTTPS listener (grpc-swift's transport builds NIOSSL already).
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // C bridges: the system libraries through pkg-config, plus non-variadic wrappers that
        // Swift can call (curl_easy_setopt and the vips_* operations are C varargs).
        .systemLibrary(name: "CCurl", path: "Sources/CBridges/CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "CCurlShims", dependencies: ["CCurl"], path: "Sources/CBridges/CCurlShims"),
        .systemLibrary(name: "CVips", path: "Sources/CBridges/CVips", pkgConfig: "vips", providers: [.apt(["libvips-dev"])]),
        .target(name: "CVipsShims", dependencies: ["CVips"], path: "Sources/CBridges/CVipsShims"),
        // prctl(PR_SET_PDEATHSIG), for the emulator's service processes (prctl is varargs too).
        .target(name: "CProcessShims", path: "Sources/CBridges/CProcessShims"),

        // Configuration read from the environment, strict documents, the retry classification:
        // what the framework and the clients both need, and nothing else.
        // The W3C trace of the current job travels in a ServiceContext.
        .target(name: "PixelPipeCore", dependencies: [serviceContext], path: "Sources/PixelPipeCore", swiftSettings: swiftSettings),

        // A functions framework for Cloud Run: invocation server, signature types, context,
        // logging. Nothing about images, jobs or Google's APIs.
        .target(
            name: "FunctionsFramework",
            // swift-metrics and swift-prometheus: a function's own metrics, served as Prometheus
            // text on a listener of their own (METRICS_PORT) that no invocation reaches.
            dependencies: ["PixelPipeCore", hummingbird, log, lifecycle, serviceContext, metrics, prometheus, .product(name: "UnixSignals", package: "swift-service-lifecycle")],
            path: "Sources/FunctionsFramework",
            swiftSettings: swiftSettings
        ),

        // Google Cloud clients: HTTP over libcurl, the safe downloader, Storage, Pub/Sub, Cloud
        // Tasks and Firestore, and the verifier of Firebase ID and Google identity tokens
        // (JWTKit checks their RS256 signatures). Usable without the framework.
        .target(
            name: "GoogleCloud",
            dependencies: ["PixelPipeCore", "CCurlShims", log, serviceContext, .product(name: "JWTKit", package: "jwt-kit")],
            path: "Sources/GoogleCloud",
            swiftSettings: swiftSettings
        ),

        // The pipeline model: the job and item contract, CSV, recipes, names, the ledger.
        .target(
            name: "PipelineModel",
            dependencies: ["PixelPipeCore", "FunctionsFramework", "GoogleCloud", crypto, log, metrics],
            path: "Sources/PipelineModel",
            swiftSettings: swiftSettings
        ),

        // The imaging engine (libvips). A module of its own so that only the binaries that
        // process images link libvips and its hundred shared libraries (~40 ms of loading).
        .target(name: "Imaging", dependencies: ["PipelineModel", "PixelPipeCore", "CVipsShims", log], path: "Sources/Imaging", swiftSettings: swiftSettings),

        // Google's Pub/Sub v1, Cloud Tasks v2 and Firestore v1 messages and gRPC stubs, generated
        // by protoc from googleapis (scripts/generate-grpc records the commit and the plugins).
        // A module of its own: ~100k lines compiled once, never touched by a change elsewhere.
        .target(
            name: "GoogleAPIsGRPC",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ],
            path: "Sources/GoogleAPIsGRPC",
            exclude: ["GENERATED"]
        ),
    ]
        + stage("Ingest", folder: "Ingest")
        + stage("Populate", folder: "Populate")
        // Not called `Process`: that name would shadow Foundation.Process.
        + stage("Process", folder: "Process", extra: ["Imaging", hummingbird])
        + stage("Teardown", folder: "Teardown", extra: [hummingbird])
        // The jobs API: serves users directly on Hummingbird (request bodies streamed into
        // Storage, multipart parsed as it arrives), so no request is ever held whole.
        + stage("Api", folder: "Api", extra: [
            hummingbird, lifecycle, crypto, .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "MultipartKit", package: "multipart-kit"),
        ])
        + [
            // The emulator: a library (tests drive it in process) and a thin `emulator` executable.
            .target(
                name: "Emulator",
                dependencies: [
                    "PixelPipeCore", "FunctionsFramework", "GoogleCloud", "PipelineModel", "CProcessShims", log, hummingbird, lifecycle, crypto,
                    .product(name: "GRDB", package: "GRDB.swift"),
                    .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                    .product(name: "ArgumentParser", package: "swift-argument-parser"),
                    .product(name: "Yams", package: "Yams"),
                    .product(name: "Metrics", package: "swift-metrics"),
                    .product(name: "Prometheus", package: "swift-prometheus"),
                    .product(name: "JWTKit", package: "jwt-kit"),
                    .product(name: "X509", package: "swift-certificates"),
                    .product(name: "SwiftASN1", package: "swift-asn1"),
                    .product(name: "CryptoExtras", package: "swift-crypto"),
                    .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                    .product(name: "HummingbirdCore", package: "hummingbird"),
                    "GoogleAPIsGRPC",
                    .product(name: "GRPCCore", package: "grpc-swift-2"),
                    .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                    .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                    .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "NIOPosix", package: "swift-nio"),
                    .product(name: "HummingbirdTLS", package: "hummingbird"),
                    .product(name: "NIOSSL", package: "swift-nio-ssl"),
                ],
                path: "Emulator",
                exclude: ["Main"],
                swiftSettings: swiftSettings
            ),
            .executableTarget(name: "EmulatorMain", dependencies: ["Emulator", .product(name: "ArgumentParser", package: "swift-argument-parser")], path: "Emulator/Main", swiftSettings: swiftSettings),

            // The `pixelpipe` CLI: the jobs API's client (submit, wait with a progress bar, results,
            // cancel, retry) as a library tests construct directly, and a thin executable.
            .target(
                name: "PixelPipeCLI",
                dependencies: ["GoogleCloud", "PipelineModel", "PixelPipeCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                path: "CLI",
                exclude: ["Main"],
                swiftSettings: swiftSettings
            ),
            .executableTarget(name: "PixelPipeCLIMain", dependencies: ["PixelPipeCLI"], path: "CLI/Main", swiftSettings: swiftSettings),

            // A function binary whose handler can be told to be slow or to fail; the live tests
            // use it to observe draining and status mapping from outside.
            .executableTarget(name: "FunctionFixture", dependencies: ["FunctionsFramework", log], path: "Tests/FunctionFixture", swiftSettings: swiftSettings),

            // Helpers the test targets (and the benchmarks) share: child processes, servers on
            // port 0, free ports.
            .target(name: "TestSupport", dependencies: ["FunctionsFramework", "GoogleCloud", "PipelineModel", hummingbird, lifecycle, log], path: "Tests/TestSupport", swiftSettings: swiftSettings),

            // The in-process harness of the stage tests: the emulator's APIs on port 0 in the test
            // process, the topology a stage needs, and the clients and configuration pointing at it.
            // It reaches the emulator's internals through a testable import, so a release build
            // (which builds it too) compiles it empty.
            .target(
                name: "StageTestSupport",
                dependencies: ["Emulator", "TestSupport", "FunctionsFramework", "GoogleCloud", "PipelineModel", "PixelPipeCore", hummingbird, log],
                path: "Tests/StageTestSupport",
                swiftSettings: swiftSettings
            ),

            .testTarget(name: "PixelPipeCoreTests", dependencies: ["PixelPipeCore"], path: "Tests/PixelPipeCoreTests", swiftSettings: swiftSettings),
            .testTarget(name: "FunctionsFrameworkTests", dependencies: ["FunctionsFramework", "PixelPipeCore", "TestSupport", hummingbird, lifecycle, log], path: "Tests/FunctionsFrameworkTests", swiftSettings: swiftSettings),
            .testTarget(
                name: "GoogleCloudTests",
                // CryptoExtras makes RSA keys and signs test tokens, X509 certifies the keys, for the
                // identity verifier's tests.
                dependencies: ["GoogleCloud", "PixelPipeCore", "TestSupport", hummingbird, lifecycle, log, crypto,
                               .product(name: "CryptoExtras", package: "swift-crypto"), .product(name: "X509", package: "swift-certificates"),
                               .product(name: "SwiftASN1", package: "swift-asn1")],
                path: "Tests/GoogleCloudTests",
                swiftSettings: swiftSettings
            ),
            .testTarget(name: "PipelineModelTests", dependencies: ["PipelineModel", "GoogleCloud", "PixelPipeCore", "TestSupport", log], path: "Tests/PipelineModelTests", swiftSettings: swiftSettings),
            .testTarget(name: "ImagingTests", dependencies: ["Imaging", "PipelineModel", "PixelPipeCore", "CVipsShims", "TestSupport"], path: "Tests/ImagingTests", swiftSettings: swiftSettings),
            .testTarget(
                name: "EmulatorTests",
                dependencies: [
                    "Emulator", "FunctionsFramework", "GoogleCloud", "PipelineModel", "PixelPipeCore", "TestSupport", log, hummingbird, lifecycle,
                    .product(name: "GRDB", package: "GRDB.swift"),
                    .product(name: "JWTKit", package: "jwt-kit"),
                    // The generated Swift clients call the emulator's gRPC half.
                    "GoogleAPIsGRPC",
                    .product(name: "GRPCCore", package: "grpc-swift-2"),
                    .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                    .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                    .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "NIOPosix", package: "swift-nio"),
                ],
                path: "Tests/EmulatorTests",
                swiftSettings: swiftSettings
            ),
            // Each stage's logic constructed directly, against the emulator in process (no child processes).
            .testTarget(name: "IngestStageTests", dependencies: stageTestDependencies + ["IngestStage"], path: "Tests/IngestStageTests", swiftSettings: swiftSettings),
            .testTarget(name: "PopulateStageTests", dependencies: stageTestDependencies + ["PopulateStage"], path: "Tests/PopulateStageTests", swiftSettings: swiftSettings),
            .testTarget(name: "ProcessStageTests", dependencies: stageTestDependencies + ["ProcessStage", "Imaging", hummingbird], path: "Tests/ProcessStageTests", swiftSettings: swiftSettings),
            // The jobs API's pieces (page tokens, object names, multipart parsing, routes) as values.
            .testTarget(name: "ApiStageTests", dependencies: ["ApiStage", "PipelineModel", hummingbird], path: "Tests/ApiStageTests", swiftSettings: swiftSettings),
            .testTarget(name: "TeardownStageTests", dependencies: stageTestDependencies + ["TeardownStage"], path: "Tests/TeardownStageTests", swiftSettings: swiftSettings),
            // The chaos suite: a job under emulator up attacked while it runs (kills, restarts, an
            // image host outage, a full disk); run by scripts/test in a pass of its own.
            .testTarget(name: "ChaosTests", dependencies: ["GoogleCloud", "PipelineModel", "PixelPipeCore", "TestSupport", hummingbird, log], path: "Tests/ChaosTests", swiftSettings: swiftSettings),
            // The CLI: its rendering as pure functions, and the built `pixelpipe` binary under a
            // pseudo-terminal and piped, against a contract server and against the api under `emulator up`.
            .testTarget(
                name: "CLITests",
                dependencies: ["PixelPipeCLI", "FunctionsFramework", "GoogleCloud", "PipelineModel", "PixelPipeCore", "TestSupport", hummingbird, log],
                path: "Tests/CLITests",
                exclude: ["Fixtures"],
                swiftSettings: swiftSettings
            ),
            .testTarget(
                name: "EndToEndTests",
                // Hummingbird serves the test images; Crypto recomputes a trigger's ce-id to redeliver it;
                // GRDB reads the emulator's database directly to count writes per document; the CLI's
                // ProgressLine measures the frames the pixelpipe binary draws; CryptoExtras signs
                // hostile ID tokens with the emulator's key for the API's token tests.
                dependencies: ["FunctionsFramework", "GoogleCloud", "PipelineModel", "PixelPipeCLI", "PixelPipeCore", "TestSupport", hummingbird, crypto, log,
                               .product(name: "CryptoExtras", package: "swift-crypto"), .product(name: "GRDB", package: "GRDB.swift")],
                path: "Tests/EndToEndTests",
                swiftSettings: swiftSettings
            ),
        ]
)
