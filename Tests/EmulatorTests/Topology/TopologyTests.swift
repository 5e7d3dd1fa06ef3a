import Foundation
import GoogleCloud
import PixelPipeCore
import Testing
@testable import Emulator

@Suite("Topology file")
struct TopologyTests {
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url
    }()

    @Test("infra/pipeline.yaml is valid and identical to the built-in default")
    func defaultMatchesFile() throws {
        let file = try TopologyLoader.load(path: Self.repositoryRoot.appendingPathComponent("infra/pipeline.yaml").path)
        let builtIn = try TopologyLoader.load(path: nil)
        #expect(file == builtIn)
        let text = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("infra/pipeline.yaml"), encoding: .utf8)
        // A multi-line literal drops the final newline; the content must otherwise match exactly.
        #expect(text == DefaultTopology.yaml + "\n")
    }

    @Test("the default pipeline connects uploads → ingest, shards → populate, and loopback images only for local process")
    func defaultPipeline() throws {
        let topology = try TopologyLoader.load(path: nil)
        #expect(topology.buckets.map(\.name) == ["pixelpipe-uploads", "pixelpipe-processed"])
        #expect(topology.services.map(\.name) == ["ingest", "populate", "process", "teardown", "api"])
        #expect(topology.services.last?.port == 8086)
        let trigger = try #require(topology.triggers.first)
        #expect(trigger.matches(bucket: "pixelpipe-uploads", name: "batch/products.csv", event: StorageEventType.finalized))
        #expect(!trigger.matches(bucket: "pixelpipe-uploads", name: "products.txt", event: StorageEventType.finalized))
        #expect(!trigger.matches(bucket: "pixelpipe-processed", name: "x.csv", event: StorageEventType.finalized))
        #expect(topology.subscriptions.first?.push.service == "populate")
        #expect(topology.subscriptions.first?.deadLetterPolicy?.topic == "shards-dead-letter")
        #expect(topology.service("process")?.env["DOWNLOAD_ALLOW_NETWORKS"] == "127.0.0.0/8,::1/128")
        #expect(topology.queues.first?.retryConfig?.maxDoublings == 4)
    }

    @Test("omitted fields take their defaults")
    func defaults() throws {
        let topology = try TopologyLoader.parse("""
        buckets: [{name: in-bucket}]
        services: [{name: ingest}]
        triggers: [{name: t, bucket: in-bucket, service: ingest}]
        """)
        #expect(topology.project == "pixelpipe-local")
        #expect(topology.services[0].binary == "ingest")
        #expect(topology.triggers[0].event == StorageEventType.finalized)
        #expect(topology.triggers[0].path == "/")
    }

    @Test("errors name the key and the line, a service's port: included", arguments: [
        ("buckets: [{name: in-bucket}]\nservices: [{name: ingest}]\ntriggers:\n  - name: t\n    bucket: in-bucket\n    service: ingset\n",
         TopologyError(key: "triggers[0].service", line: 6, problem: "no service named 'ingset'")),
        ("buckets:\n  - name: a-bucket\n  - name: a-bucket\n",
         TopologyError(key: "buckets[1].name", line: 3, problem: "'a-bucket' is defined twice")),
        ("topics: [{name: t}]\nservices: [{name: p}]\nsubscriptions:\n  - name: s\n    topic: t\n    push: {service: p}\n    ackDeadlineSeconds: 5\n",
         TopologyError(key: "subscriptions[0].ackDeadlineSeconds", line: 7, problem: "must be between 10 and 600 seconds, got 5")),
        ("queues:\n  - name: q\n    retryConfig:\n      minBackoff: soon\n",
         TopologyError(key: "queues[0].retryConfig.minBackoff", line: 4, problem: "'soon' is not a duration like \"10s\"")),
        ("services:\n  - binary: ingest\n",
         TopologyError(key: "services[0]", line: 2, problem: "missing required key 'name'")),
        ("queues:\n  - name: q\n    rateLimits:\n      maxConcurrentDispatches: many\n",
         TopologyError(key: "queues[0].rateLimits.maxConcurrentDispatches", line: 4, problem: "expected an integer")),
        ("buckets: [{name: UPPER}]\n",
         TopologyError(key: "buckets[0].name", line: 1, problem: "'UPPER' is not a valid bucket name (3-63 of a-z, 0-9, '-', '_', '.')")),
        // A service's port: 1-65535, unique, and not with url:.
        ("services:\n  - name: a\n    port: 70000\n",
         TopologyError(key: "services[0].port", line: 3, problem: "must be between 1 and 65535, got 70000")),
        ("services:\n  - name: a\n    port: 0\n",
         TopologyError(key: "services[0].port", line: 3, problem: "must be between 1 and 65535, got 0")),
        ("services:\n  - name: a\n    port: 9000\n  - name: b\n    port: 9000\n",
         TopologyError(key: "services[1].port", line: 5, problem: "9000 is already the port of service 'a'")),
        ("services:\n  - name: a\n    url: http://127.0.0.1:9000\n    port: 9000\n",
         TopologyError(key: "services[0].port", line: 4, problem: "not allowed together with 'url': the service runs elsewhere, at its URL")),
        ("services:\n  - name: a\n    port: eighty\n",
         TopologyError(key: "services[0].port", line: 3, problem: "expected an integer")),
    ])
    func errors(_ yaml: String, _ expected: TopologyError) {
        #expect(throws: expected) { _ = try TopologyLoader.parse(yaml) }
    }

    @Test("unknown keys at any level are errors naming the key path and its line, suggesting a near miss", arguments: [
        ("buckets: [{name: in-bucket}]\nsubscripshuns:\n  - name: s\n", "subscripshuns", 2, "did you mean 'subscriptions'?"),
        ("project: p\nenviroment:\n  UPLOADS_BUCKET: b\n", "enviroment", 2, "did you mean 'env'?"),
        ("services:\n  - name: ingest\n    environment:\n      A: b\n", "services[0].environment", 3, "did you mean 'env'?"),
        ("topics: [{name: t}]\nservices: [{name: p}]\nsubscriptions:\n  - name: s\n    topic: t\n    push:\n      servce: p\n", "subscriptions[0].push.servce", 7, "did you mean 'service'?"),
        ("queues:\n  - name: q\n    rateLimits:\n      maxConcurentDispatches: 3\n", "queues[0].rateLimits.maxConcurentDispatches", 4, "did you mean 'maxConcurrentDispatches'?"),
        ("queues:\n  - name: q\n    retryConfig:\n      maxAttempt: 3\n", "queues[0].retryConfig.maxAttempt", 4, "did you mean 'maxAttempts'?"),
        ("buckets:\n  - name: in-bucket\n    colour: red\n", "buckets[0].colour", 3, "expected one of name"),
        ("colour: red\n", "colour", 1, "expected one of project, location, env, buckets, services, triggers, topics, subscriptions, queues"),
    ] as [(String, String, Int, String)])
    func unknownKeys(_ yaml: String, key: String, line: Int, hint: String) {
        #expect(throws: TopologyError(key: key, line: line, problem: "unknown key; \(hint)")) { _ = try TopologyLoader.parse(yaml) }
    }

    @Test("the message of an unknown key reads: line, key path, suggestion")
    func unknownKeyMessage() {
        let error = #expect(throws: TopologyError.self) { _ = try TopologyLoader.parse("project: p\nsubscripshuns: []\n") }
        #expect(error?.description == "line 2: subscripshuns: unknown key; did you mean 'subscriptions'?")
    }

    @Test("a service may pin its port")
    func servicePort() throws {
        let topology = try TopologyLoader.parse("services:\n  - name: ingest\n    port: 9101\n  - name: populate\n")
        #expect(topology.service("ingest")?.port == 9101)
        #expect(topology.service("populate")?.port == nil)
    }

    @Test("YAML that does not parse is reported with its line")
    func syntaxError() {
        let error = #expect(throws: TopologyError.self) { _ = try TopologyLoader.parse("buckets:\n  - name: [unclosed\n") }
        #expect(error?.line != nil)
        #expect(error?.problem.hasPrefix("not valid YAML") == true)
    }
}
