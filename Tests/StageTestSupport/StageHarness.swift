// The emulator's types are internal; a testable (debug) build lets this harness start it in
// process. A release build (`swift build -c release` builds every non-test target) compiles
// this module empty, as no release binary links it.
#if DEBUG
import Foundation
import FunctionsFramework
import GoogleCloud
import Logging
import PipelineModel
import TestSupport

@testable import Emulator

/// The emulator's APIs served in the test process on 127.0.0.1:0 with a temporary data
/// directory, the topology the stages use (both buckets, the shards topic with a pull
/// subscription, the control queue) created through the real clients, and the configuration
/// and clients a stage is constructed with. Nothing is delivered: no push, no task dispatch,
/// so a test calls the stage itself and reads what it left behind.
public struct StageHarness: Sendable {
    /// The project every resource is created in.
    public static let project = "stage-test"
    /// Where image tasks say they go; never called (nothing is dispatched in process).
    public static let processURL = "http://127.0.0.1:9/process"
    /// Where teardown and watchdog tasks say they go; never called either.
    public static let teardownURL = "http://127.0.0.1:9/teardown"
    /// The pull subscription on the shards topic, where a test reads what ingest published.
    public static let shardsSubscription = "shards-test-pull"

    /// `http://127.0.0.1:PORT` of the emulator.
    public let baseURL: String
    /// What the stages are constructed with: the emulator's buckets, topic and queues, loopback
    /// task targets and webhook addresses, storage-API links to the emulator.
    public let configuration: PipelineConfiguration
    /// The real Google clients, pointed at the emulator.
    public let clients: PipelineClients
    /// A logger that stays quiet unless something is wrong.
    public let logger: Logger
    let http: HTTPClient

    /// Starts the emulator, creates the topology, runs `body`, then stops the emulator and
    /// removes its data directory. `configure` adjusts the configuration before anything is made.
    public static func run<T: Sendable>(
        configure: @Sendable (inout PipelineConfiguration) -> Void = { _ in },
        _ body: @Sendable (StageHarness) async throws -> T
    ) async throws -> T {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("stage-test-\(UUID().uuidString)")
        let directory = root.appendingPathComponent("data")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try EmulatorStore(directory: directory)
        let emulatorLogger = Logger(label: "stage-test-emulator") { _ in SwiftLogNoOpLogHandler() }
        let emulator = EmulatorConfiguration(dataDirectory: directory, host: "127.0.0.1", port: 0)
        var logger = Logger(label: "stage-test")
        logger.logLevel = .error
        return try await withRunningApplication({ onRunning in
            try EmulatorServer.makeApplication(configuration: emulator, store: store, logger: emulatorLogger, onServerRunning: onRunning)
        }) { [logger] port in
            let baseURL = "http://127.0.0.1:\(port)"
            var configuration = PipelineConfiguration(project: project, links: .storageAPI(base: baseURL))
            configuration.processURL = processURL
            configuration.teardownURL = teardownURL
            configuration.webhookAddresses = try AddressPolicy(allowList: "127.0.0.0/8")
            configure(&configuration)
            let api = GoogleAPIClient(endpoints: .emulator(baseURL), logger: emulatorLogger)
            let http = HTTPClient()
            defer { http.shutdown() }
            let harness = StageHarness(
                baseURL: baseURL, configuration: configuration,
                clients: PipelineClients(api: api, configuration: configuration), logger: logger, http: http
            )
            try await harness.createTopology()
            return try await body(harness)
        }
    }

    private func createTopology() async throws {
        try await clients.storage.createBucket(configuration.uploadsBucket, project: Self.project)
        try await clients.storage.createBucket(configuration.processedBucket, project: Self.project)
        try await clients.pubSub.createTopic(configuration.shardsTopic)
        _ = try await clients.pubSub.createSubscription(Self.shardsSubscription, PubSubSubscription(topic: clients.pubSub.topicName(configuration.shardsTopic)))
        _ = try await clients.tasks.createQueue(configuration.controlQueue)
    }

    /// An invocation context as the framework would hand a stage, with the harness's logger.
    public func context(_ signature: SignatureType, id: String = UUID().uuidString, cloudTask: CloudTaskHeaders? = nil) -> InvocationContext {
        InvocationContext(
            invocationID: id, signature: signature, attempt: cloudTask?.attempt ?? 1,
            deadline: .now + .seconds(60), cloudTask: cloudTask, logger: logger
        )
    }

    // MARK: Objects

    /// Uploads `csv` to the uploads bucket as `name` (with object `metadata`) and returns the
    /// object as its finalize event describes it.
    public func uploadCSV(_ csv: String, name: String = "products-\(UUID().uuidString.prefix(8)).csv", metadata: [String: String]? = nil) async throws -> StorageObject {
        try await clients.storage.upload(Data(csv.utf8), bucket: configuration.uploadsBucket, name: name, options: .init(contentType: "text/csv", metadata: metadata))
    }

    /// The job id ingest derives for `object`.
    public func jobID(of object: StorageObject) -> JobID {
        JobID(bucket: object.bucket, object: object.name, generation: object.generationNumber ?? 0)
    }

    /// An object of the processed bucket as text, nil when absent.
    public func processedText(_ name: String) async throws -> String? {
        do {
            return String(decoding: try await clients.storage.download(bucket: configuration.processedBucket, name: name), as: UTF8.self)
        } catch let error as GoogleCloud.GoogleAPIError where error.isNotFound {
            return nil
        }
    }

    /// The job's output CSV as records (CRLF lines; test data keeps fields free of newlines).
    public func outputCSV(_ job: JobID) async throws -> [String]? {
        try await processedText(PipelineNames.outputCSV(job: job))?.components(separatedBy: "\r\n").filter { !$0.isEmpty }
    }

    // MARK: Messages and tasks

    /// Every shard message published so far and not yet read, acknowledged as they are read.
    public func publishedShards() async throws -> [ShardMessage] {
        var shards: [ShardMessage] = []
        while true {
            let received = try await clients.pubSub.pull(Self.shardsSubscription, maxMessages: 100)
            if received.isEmpty { return shards }
            try await clients.pubSub.acknowledge(received.map(\.ackId), on: Self.shardsSubscription)
            shards += try received.map { try JSONDecoder().decode(ShardMessage.self, from: $0.message.data ?? Data()) }
        }
    }

    /// The short names of the tasks waiting on `queue`, sorted.
    public func taskNames(queue: String) async throws -> [String] {
        try await clients.tasks.listTasks(queue: queue, pageSize: 1000).compactMap { $0.name?.split(separator: "/").last.map(String.init) }.sorted()
    }

    /// The body of task `name` on `queue`, or nil when there is no such task. Read with
    /// `responseView=FULL`: Cloud Tasks leaves the body out of the default view.
    public func taskBody<Body: Decodable>(_ name: String, queue: String, as type: Body.Type = Body.self) async throws -> Body? {
        let response = try await http.get("\(baseURL)/v2/\(clients.tasks.taskName(name, queue: queue))?responseView=FULL")
        guard response.status != 404 else { return nil }
        let task = try JSONDecoder().decode(CloudTask.self, from: response.body)
        return try JSONDecoder().decode(Body.self, from: task.httpRequest.body ?? Data())
    }

    /// The job's `teardown-JOB` task on the control queue, or nil.
    public func teardownTask(_ job: JobID) async throws -> TeardownTask? {
        try await taskBody(PipelineNames.teardownTask(job: job), queue: configuration.controlQueue)
    }

    /// Whether the job's image queue exists.
    public func queueExists(_ job: JobID) async throws -> Bool {
        do {
            _ = try await clients.tasks.queue(PipelineNames.imageQueue(job: job))
            return true
        } catch let error as GoogleCloud.GoogleAPIError where error.isNotFound {
            return false
        }
    }
}
#endif
