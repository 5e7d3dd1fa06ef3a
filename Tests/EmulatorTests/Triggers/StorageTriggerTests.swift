import Foundation
import FunctionsFramework
import GoogleCloud
import HTTPTypes
import Logging
import PixelPipeCore
import ServiceLifecycle
import Testing
import TestSupport
@testable import Emulator

/// An emulator in-process with storage triggers pointing at a recording function server.
struct TriggerHarness {
    let directory: URL
    let storage: StorageClient
    let bucketFolder: URL

    /// Runs the APIs, the trigger deliverer and the folder watcher for `body`; the function
    /// server answers with `respond`.
    static func run(
        triggers yaml: String,
        respond: @escaping @Sendable (RecordedRequest, Int) -> (status: Int, body: String, headers: [String: String]) = { _, _ in (204, "", [:]) },
        delay: @escaping @Sendable (RecordedRequest) -> Duration = { _ in .zero },
        _ body: @escaping @Sendable (TriggerHarness, RecordingServer) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-triggers-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let topology = try TopologyLoader.parse(yaml)
        let function = RecordingServer()
        let logger = quietLogger
        try await function.run(respond: respond, delay: delay) { functionPort in
            let store = try EmulatorStore(directory: directory)
            let hub = StorageEventHub(triggers: topology.triggers, signal: store.workSignal)
            let storageStore = try StorageStore(store: store, events: hub)
            let configuration = EmulatorConfiguration(dataDirectory: directory, host: "127.0.0.1", port: 0, maxRequestBytes: 64 << 20)
            let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
            let application = try EmulatorServer.makeApplication(configuration: configuration, store: store, storage: storageStore, logger: logger) { port in
                hub.setOrigin("http://127.0.0.1:\(port)")
                portContinuation.yield(port)
            }
            let deliverer = TriggerDeliverer(
                store: store, serviceURLs: { ["fn": "http://127.0.0.1:\(functionPort)"] },
                lane: TriggerLane(schedule: PushRetrySchedule(minimumBackoff: .milliseconds(50), maximumBackoff: .milliseconds(200))), logger: logger
            )
            let watcher = BucketFolderWatcher(storage: storageStore, rescanInterval: .milliseconds(300), settle: .milliseconds(200), logger: logger)
            let group = ServiceGroup(configuration: .init(services: [application, deliverer, watcher], logger: logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var iterator = ports.makeAsyncIterator()
                let port = try #require(await iterator.next())
                let storage = StorageClient(api: GoogleAPIClient(endpoints: .emulator("http://127.0.0.1:\(port)")))
                for bucket in topology.buckets { try await storage.createBucket(bucket.name, project: "demo") }
                let harness = TriggerHarness(directory: directory, storage: storage, bucketFolder: directory.appendingPathComponent("buckets"))
                do {
                    try await body(harness, function)
                } catch {
                    await group.triggerGracefulShutdown()
                    throw error
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
}

/// Waits until `server` has received at least `count` requests.
func awaitRequests(_ server: RecordingServer, count: Int, within limit: Duration = .seconds(20)) async throws -> [RecordedRequest] {
    let deadline = ContinuousClock.now + limit
    while server.requests.count < count {
        guard ContinuousClock.now < deadline else {
            throw ChildProcess.Failure.timedOut("\(count) deliveries; got \(server.requests.count)")
        }
        try await Task.sleep(for: .milliseconds(10))
    }
    return server.requests
}

let triggerTopology = """
buckets: [{name: uploads}]
services: [{name: fn}]
triggers:
  - {name: csv, bucket: uploads, suffix: .csv, service: fn}
  - {name: gone, bucket: uploads, event: google.cloud.storage.object.v1.deleted, service: fn}
"""

@Suite("Storage triggers")
struct StorageTriggerTests {
    /// Checks the request is a binary-mode Storage CloudEvent for `name` and decodes it as our runtime would.
    func expectStorageEvent(_ request: RecordedRequest, type: String, name: String, size: Int) throws -> CloudEvent<StorageObject> {
        #expect(request.method == "POST")
        #expect(request.path == "/")
        #expect(request.headers["ce-specversion"] == "1.0")
        #expect(request.headers["ce-type"] == type)
        #expect(request.headers["ce-source"] == "//storage.googleapis.com/projects/_/buckets/uploads")
        #expect(request.headers["ce-subject"] == "objects/\(name)")
        #expect(request.headers["ce-id"]?.count == 16)
        #expect(request.headers["ce-time"].flatMap { GoogleTimestamp(rfc3339: $0) } != nil)
        #expect(request.headers["content-type"]?.hasPrefix("application/json") == true)
        var invocation = InvocationRequest(body: request.body)
        for (name, value) in request.headers { invocation.headers[.init(name)!] = value }
        let raw = try CloudEvent.decode(from: invocation)
        let object = try JSONDecoder().decode(StorageObject.self, from: raw.data)
        #expect(object.bucket == "uploads")
        #expect(object.name == name)
        #expect(object.byteCount == Int64(size))
        #expect((object.generationNumber ?? 0) > 0)
        #expect(object.md5Hash != nil && object.crc32c != nil && object.timeCreated != nil && object.updated != nil)
        let json = try #require(request.json)
        #expect(json["generation"] is String)
        #expect(json["size"] is String)
        return raw.withData(object)
    }

    @Test("a file dropped into the bucket folder becomes an object and fires object.finalized with the exact CloudEvent")
    func folderDrop() async throws {
        try await TriggerHarness.run(triggers: triggerTopology) { harness, function in
            let csv = "S. No.,Product Name,Input Image Urls\n1,Shoe,https://x/y.jpg\n"
            let folder = harness.bucketFolder.appendingPathComponent("uploads/batch")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(csv.utf8).write(to: folder.appendingPathComponent("products.csv"))
            try Data("ignored".utf8).write(to: folder.appendingPathComponent("notes.txt"))

            let requests = try await awaitRequests(function, count: 1)
            let event = try expectStorageEvent(requests[0], type: StorageEventType.finalized, name: "batch/products.csv", size: csv.utf8.count)
            #expect(event.data.contentType == "text/csv")
            let stored = try await harness.storage.download(bucket: "uploads", name: "batch/products.csv")
            #expect(stored == Data(csv.utf8))
            // The .txt object exists but fires nothing; the dropped file is not taken in twice.
            _ = try await harness.storage.metadata(bucket: "uploads", name: "batch/notes.txt")
            try await Task.sleep(for: .milliseconds(800))  // two rescans: nothing may be re-adopted
            #expect(function.requests.count == 1)
        }
    }

    @Test("an upload through the API fires the same event, with its metadata, and a delete fires object.deleted")
    func apiUploadAndDelete() async throws {
        try await TriggerHarness.run(triggers: triggerTopology) { harness, function in
            let data = Data("a,b\n".utf8)
            try await harness.storage.upload(data, bucket: "uploads", name: "api.csv", options: .init(contentType: "text/csv", metadata: ["webhook-url": "https://hooks.example.com/x"]))
            let first = try await awaitRequests(function, count: 1)
            let event = try expectStorageEvent(first[0], type: StorageEventType.finalized, name: "api.csv", size: data.count)
            #expect(event.data.metadata?["webhook-url"] == "https://hooks.example.com/x")

            try await harness.storage.delete(bucket: "uploads", name: "api.csv")
            // Delivery is at least once: on a loaded machine the finalized event may come again
            // (the same event, so the same ce-id) before the deleted one.
            let deadline = ContinuousClock.now + .seconds(20)
            while !function.requests.contains(where: { $0.headers["ce-type"] == StorageEventType.deleted }) {
                guard ContinuousClock.now < deadline else { throw ChildProcess.Failure.timedOut("the object.deleted event") }
                try await Task.sleep(for: .milliseconds(10))
            }
            let requests = function.requests
            let finalized = requests.filter { $0.headers["ce-type"] == StorageEventType.finalized }
            #expect(Set(finalized.map { $0.headers["ce-id"] }).count == 1, "one upload is one finalized event, however often delivered")
            let deleted = try #require(requests.first { $0.headers["ce-type"] == StorageEventType.deleted })
            _ = try expectStorageEvent(deleted, type: StorageEventType.deleted, name: "api.csv", size: data.count)
            #expect(deleted.headers["ce-id"] != first[0].headers["ce-id"])
        }
    }

    @Test("a delivery that fails is retried with the same event id until the function answers 2xx")
    func retriesUntilSuccess() async throws {
        try await TriggerHarness.run(triggers: triggerTopology, respond: { _, index in index <= 2 ? (503, "", [:]) : (204, "", [:]) }) { harness, function in
            try await harness.storage.upload(Data("x\n".utf8), bucket: "uploads", name: "retry.csv", options: .init(contentType: "text/csv"))
            let requests = try await awaitRequests(function, count: 3)
            #expect(Set(requests.map { $0.headers["ce-id"] }).count == 1)
            try await Task.sleep(for: .milliseconds(500))
            #expect(function.requests.count == 3)
        }
    }

    @Test("removing a file from the folder deletes its object and fires object.deleted")
    func folderRemoval() async throws {
        try await TriggerHarness.run(triggers: triggerTopology) { harness, function in
            try await harness.storage.upload(Data("x\n".utf8), bucket: "uploads", name: "remove-me.csv")
            _ = try await awaitRequests(function, count: 1)
            try FileManager.default.removeItem(at: harness.bucketFolder.appendingPathComponent("uploads/remove-me.csv"))
            let requests = try await awaitRequests(function, count: 2)
            #expect(requests[1].headers["ce-type"] == StorageEventType.deleted)
            let error = await #expect(throws: GoogleCloud.GoogleAPIError.self) { _ = try await harness.storage.metadata(bucket: "uploads", name: "remove-me.csv") }
            #expect(error?.isNotFound == true)
        }
    }

    @Test("a slow function delays only its own events: another trigger's event arrives while it is still busy")
    func slowServiceDoesNotBlockOthers() async throws {
        let topology = """
        buckets: [{name: uploads}]
        services: [{name: fn}]
        triggers:
          - {name: slow, bucket: uploads, prefix: slow/, service: fn, path: /slow}
          - {name: fast, bucket: uploads, prefix: fast/, service: fn, path: /fast}
        """
        try await TriggerHarness.run(triggers: topology, delay: { $0.path == "/slow" ? .seconds(5) : .zero }) { harness, function in
            try await harness.storage.upload(Data("a\n".utf8), bucket: "uploads", name: "slow/a.csv")
            _ = try await awaitRequests(function, count: 1)
            try await harness.storage.upload(Data("b\n".utf8), bucket: "uploads", name: "fast/b.csv")
            let requests = try await awaitRequests(function, count: 2)
            #expect(requests.map(\.path) == ["/slow", "/fast"])
            // The fast event got through although the slow one is not answered yet.
            #expect(!function.answeredPaths.contains("/slow"))
        }
    }
}
