import Foundation
import FunctionsFramework
import GoogleCloud
import GRDB
import PipelineModel
import Testing
import TestSupport

@testable import Emulator

/// A service's address is stable for the life of a data directory, like a Cloud Run URL; when
/// it must move (its port taken by another program), every stored push endpoint and pending
/// task follows it before anything is delivered.
@Suite("emulator up: service addresses")
struct ServiceAddressTests {
    /// `emulator up` on `directory` (the default pipeline without its pinned ports unless
    /// `pipeline` is given), ready.
    func start(_ directory: URL, pipeline: URL? = nil) async throws -> (emulator: ChildProcess, base: String, services: [String: String]) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = try pipeline ?? PipelineFile.writeUnpinned(to: directory.appendingPathComponent("default-pipeline.yaml"))
        let arguments = ["up", "--port", "0", "--data-dir", directory.appendingPathComponent("data").path, "--log-format", "json", "--pipeline", file.path]
        let emulator = try ChildProcess("emulator", arguments: arguments)
        let base = try await emulator.logField("pixelpipe.url", ofMessage: "emulator listening")
        let ready = try await emulator.line(where: { $0.contains(#""message":"pipeline ready""#) }, within: .seconds(60), "the pipeline to be ready")
        let object = try JSONSerialization.jsonObject(with: Data(ready.utf8)) as? [String: Any]
        return (emulator, base, object?["pixelpipe.services"] as? [String: String] ?? [:])
    }

    func status(_ base: String) async throws -> [String: Any] {
        let response = try await HTTPClient().get(base + "/_emulator/status")
        return try JSONSerialization.jsonObject(with: response.body) as? [String: Any] ?? [:]
    }

    func port(of url: String?) -> Int? { url.flatMap { URL(string: $0)?.port } }

    @Test("a port taken by another program moves the service; its push endpoint and pending tasks follow it before anything is delivered", .timeLimit(.minutes(3)))
    func movedServiceIsRepointed() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-addresses-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let http = HTTPClient()
        let queue = "/v2/projects/pixelpipe-local/locations/us-central1/queues/held"

        let (first, firstBase, before) = try await start(directory)
        // A paused queue keeps a task addressed to process across the restart.
        for (path, body) in [
            ("/v2/projects/pixelpipe-local/locations/us-central1/queues", #"{"name":"projects/pixelpipe-local/locations/us-central1/queues/held"}"#),
            (queue + ":pause", "{}"),
            (queue + "/tasks", #"{"task":{"name":"projects/pixelpipe-local/locations/us-central1/queues/held/tasks/t1","httpRequest":{"url":"\#(before["process"]!)/x?y=1"}}}"#),
        ] {
            #expect(try await http.execute(.init(method: "POST", url: firstBase + path, headers: [("Content-Type", "application/json")], body: Data(body.utf8))).status == 200)
        }
        first.send(SIGTERM)
        #expect(try await first.exitStatus() == 0)

        // Another program now listens on populate's and process's ports.
        let squatters = try [port(of: before["populate"]), port(of: before["process"])].map { try HeldPort(port: try #require($0)) }
        let (second, base, after) = try await start(directory)
        defer { second.send(SIGKILL) }
        _ = squatters

        #expect(after["ingest"] == before["ingest"] && after["teardown"] == before["teardown"], "free ports are kept")
        for service in ["populate", "process"] {
            #expect(after[service] != before[service], "\(service) moved off its taken port")
            let moved = try #require(second.lines.first { $0.contains("service moved") && $0.contains("\"pixelpipe.service\":\"\(service)\"") })
            // The squatter is this test process.
            #expect(moved.contains("port \(port(of: before[service])!) is in use by "), "\(moved)")
            #expect(moved.contains("(pid \(getpid()))"), "\(moved)")
        }
        let subscription = try JSONSerialization.jsonObject(with: try await http.get(base + "/v1/projects/pixelpipe-local/subscriptions/shards-populate").body) as? [String: Any]
        #expect((subscription?["pushConfig"] as? [String: Any])?["pushEndpoint"] as? String == after["populate"]! + "/")
        let task = try JSONSerialization.jsonObject(with: try await http.get(base + queue + "/tasks/t1").body) as? [String: Any]
        #expect((task?["httpRequest"] as? [String: Any])?["url"] as? String == after["process"]! + "/x?y=1")

        // Status lists every service with its URL, pid, revision and restarts.
        let services = try #require(try await status(base)["services"] as? [[String: Any]])
        #expect(services.map { $0["name"] as? String } == ["api", "ingest", "populate", "process", "teardown"])
        for service in services {
            let name = service["name"] as? String ?? ""
            #expect(service["url"] as? String == after[name])
            #expect((service["pid"] as? Int ?? 0) > 0)
            #expect(service["revision"] as? String == "\(name)-00001")
            #expect(service["restarts"] as? Int == 0)
            #expect(service["state"] as? String == "ready")
        }
        let text = String(decoding: try await http.get(base + "/_emulator/status?format=text").body, as: UTF8.self)
        #expect(text.contains("process  \(after["process"]!)  ready  pid"))
    }

    @Test("a port pinned in the pipeline file is used; a pinned port in use stops start-up naming the service and the port", .timeLimit(.minutes(2)))
    func pinnedPorts() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-pinned-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let pinned = LoopbackPort.stable()
        let pipeline = directory.appendingPathComponent("pipeline.yaml")
        try """
            project: pixelpipe-local
            services:
              - name: fixture
                binary: FunctionFixture
                port: \(pinned)
            """.write(to: pipeline, atomically: true, encoding: .utf8)

        let (emulator, base, services) = try await start(directory, pipeline: pipeline)
        #expect(services["fixture"] == "http://127.0.0.1:\(pinned)")
        #expect(try await HTTPClient().get("http://127.0.0.1:\(pinned)/healthz").status == 200)
        let listed = try #require(try await status(base)["services"] as? [[String: Any]])
        #expect(listed.first?["url"] as? String == "http://127.0.0.1:\(pinned)")
        emulator.send(SIGTERM)
        #expect(try await emulator.exitStatus() == 0)

        let squatter = try HeldPort(port: pinned)
        let refused = try ChildProcess("emulator", arguments: ["up", "--port", "0", "--data-dir", directory.appendingPathComponent("data").path, "--pipeline", pipeline.path, "--log-format", "json"])
        #expect(try await refused.exitStatus(within: .seconds(30)) != 0)
        try await refused.outputEnded()
        let output = refused.lines.joined(separator: "\n")
        #expect(output.contains("service 'fixture': port \(pinned) (pinned by its `port:` in the pipeline file) is in use by "), "\(output)")
        #expect(output.contains("(pid \(getpid())); stop that program or pin another port"), "\(output)")
        _ = squatter
    }
}

/// `ServiceAddresses` on a store, without processes: which work follows which move.
@Suite("Service addresses: re-pointing")
struct ServiceRepointTests {
    @Test("a service pinned to another's old port takes it, the other moves elsewhere, and each one's work follows only its own service; a longer port with the same digits is left alone")
    func swapAndPrefix() async throws {
        try await DeliveryHarness.withStore { store in
            let populateOld = LoopbackPort.stable()
            let processOld = LoopbackPort.stable(excluding: [populateOld])
            let alphaOld = LoopbackPort.stable(in: 2000...6000)
            let alphaNew = LoopbackPort.stable(excluding: [populateOld, processOld])
            let neighbour = "http://127.0.0.1:\(alphaOld)1/z"  // a port whose digits start like alpha's
            try await store.write { db in
                for (service, port) in [("populate", populateOld), ("process", processOld), ("alpha", alphaOld)] {
                    try db.execute(sql: "INSERT INTO service_ports(service, port, url) VALUES (?, ?, ?)", arguments: [service, port, "http://127.0.0.1:\(port)"])
                }
            }
            let pubsub = PubSubStore(store: store)
            _ = try await pubsub.createTopic(name: "projects/p/topics/shards", body: .init())
            var subscription = Emulator.PubSubSubscription(topic: "projects/p/topics/shards")
            subscription.pushConfig = .init(pushEndpoint: "http://127.0.0.1:\(populateOld)/")
            _ = try await pubsub.createSubscription(name: "projects/p/subscriptions/shards-populate", body: subscription)
            let queue = "projects/p/locations/l/queues/q"
            try await DeliveryHarness.makeQueue(store, queue)
            try await DeliveryHarness.makeTask(store, queue: queue, id: "image", url: "http://127.0.0.1:\(processOld)/x?y=1")
            try await DeliveryHarness.makeTask(store, queue: queue, id: "alpha", url: "http://127.0.0.1:\(alphaOld)/a")
            try await DeliveryHarness.makeTask(store, queue: queue, id: "neighbour", url: neighbour)

            let topology = try TopologyLoader.parse("""
                services:
                  - name: populate
                    port: \(processOld)
                  - name: process
                  - name: alpha
                    port: \(alphaNew)
                """)
            let assignment = try await ServiceAddresses(store: store).assign(topology.services)
            #expect(assignment.ports["populate"] == processOld)
            let processNew = try #require(assignment.ports["process"])
            #expect(![populateOld, processOld, alphaOld, alphaNew].contains(processNew), "process moved to \(processNew), a port another service had")
            #expect(assignment.moves.first { $0.service == "process" }?.reason == "port \(processOld) is pinned for 'populate' by the pipeline file")

            let pushEndpoint = try await pubsub.pushSubscriptions().first?.endpoint
            #expect(pushEndpoint == "http://127.0.0.1:\(processOld)/", "populate's subscription follows populate, not process")
            let tasks = TasksStore(store: store)
            #expect(try await tasks.task(name: "\(queue)/tasks/image").httpRequest?.url == "http://127.0.0.1:\(processNew)/x?y=1")
            #expect(try await tasks.task(name: "\(queue)/tasks/alpha").httpRequest?.url == "http://127.0.0.1:\(alphaNew)/a")
            #expect(try await tasks.task(name: "\(queue)/tasks/neighbour").httpRequest?.url == neighbour)

            // Assigned again with nothing changed: nothing moves, nothing is written.
            let again = try await ServiceAddresses(store: store).assign(topology.services)
            #expect(again.moves.isEmpty && again.ports == assignment.ports)
        }
    }
}

/// One `emulator up` per data directory.
@Suite("emulator up: one per data directory")
struct DataDirectoryLockTests {
    @Test("a second emulator up on a data directory in use stops, naming the directory and the emulator holding it; after a SIGKILL of the first it starts at once", .timeLimit(.minutes(1)))
    func secondEmulatorRefused() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-lock-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["up", "--port", "0", "--data-dir", directory.path, "--pipeline", "none", "--log-format", "json"]
        let first = try ChildProcess("emulator", arguments: arguments)
        _ = try await first.logField("pixelpipe.url", ofMessage: "emulator listening")

        let second = try ChildProcess("emulator", arguments: arguments)
        #expect(try await second.exitStatus() != 0)
        try await second.outputEnded()
        let output = second.lines.joined(separator: "\n")
        #expect(output.contains("\(directory.path): is in use by another emulator (pid \(first.processIdentifier))"), "\(output)")

        first.send(SIGKILL)
        _ = try await first.exitStatus()
        let third = try ChildProcess("emulator", arguments: arguments)
        _ = try await third.logField("pixelpipe.url", ofMessage: "emulator listening")
        third.send(SIGTERM)
        #expect(try await third.exitStatus() == 0)
    }
}
