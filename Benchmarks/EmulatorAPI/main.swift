// EmulatorAPIBenchmark: task creations and messages published per second against the emulator
// over HTTP on loopback, with durability on (WAL, synchronous=FULL, group commit); then Pub/Sub
// publish over gRPC beside REST, and pull throughput: REST :pull + :acknowledge against one
// gRPC StreamingPull stream, in the same run.
//
//   swift build -c release --product emulator
//   swift run -c release EmulatorAPIBenchmark [--url http://127.0.0.1:8085] [--requests N]
//
// Without --url it starts the `emulator` binary from its own build directory on a free port
// with a fresh data directory, and stops it at the end.
import BenchmarkSupport
import Foundation
import GoogleCloud
import PipelineModel
import Synchronization

/// One measured scenario.
struct Scenario: Sendable {
    let title: String
    let requests: Int
    let itemsPerRequest: Int
    let concurrency: Int
    let request: @Sendable (Int) -> HTTPClient.Request
}

/// Command-line settings.
struct Settings {
    var url: String?
    var requests = 5000

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--url": url = iterator.next()
            case "--requests": requests = iterator.next().flatMap(Int.init) ?? requests
            default: FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8)); exit(2)
            }
        }
    }
}

/// Runs `scenario` with its concurrency; returns items per second and latency percentiles.
func measure(_ scenario: Scenario, client: HTTPClient) async throws -> (perSecond: Double, p50: Double, p99: Double, failures: Int) {
    let next = RequestCounter()
    let started = ContinuousClock.now
    let results = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
        for _ in 0..<scenario.concurrency {
            group.addTask {
                var latencies: [Double] = []
                var failures = 0
                while true {
                    let index = next.value.add(1, ordering: .relaxed).oldValue
                    if index >= scenario.requests { break }
                    let begin = ContinuousClock.now
                    let response = try await client.execute(scenario.request(index))
                    latencies.append((ContinuousClock.now - begin).seconds * 1000)
                    if response.status != 200 { failures += 1 }
                }
                return (latencies, failures)
            }
        }
        return try await group.reduce(into: ([Double](), 0)) { $0.0 += $1.0; $0.1 += $1.1 }
    }
    let elapsed = (ContinuousClock.now - started).seconds
    let sorted = results.0.sorted()
    let percentile = { (p: Double) in sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
    return (Double(scenario.requests * scenario.itemsPerRequest) / elapsed, percentile(0.5), percentile(0.99), results.1)
}

/// Hands out request indexes to the concurrent workers.
final class RequestCounter: Sendable {
    let value = Atomic<Int>(0)
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

func post(_ url: String, _ json: String) -> HTTPClient.Request {
    .init(method: "POST", url: url, headers: [("Content-Type", "application/json")], body: Data(json.utf8))
}

let settings = Settings(arguments: CommandLine.arguments)
let child = ChildEmulator()
if settings.url == nil { try child.start() }
defer { child.stop() }
let base = settings.url ?? child.url
var configuration = HTTPClient.Configuration()
configuration.maxIdleConnections = 512
let client = HTTPClient(configuration: configuration)

// Setup: a queue, and a topic with one subscription so every message is fanned out and kept.
let run = UUID().uuidString.prefix(8).lowercased()
let queue = "projects/bench/locations/local/queues/bench-\(run)"
let topic = "projects/bench/topics/bench-\(run)"
for request in [
    post("\(base)/v2/projects/bench/locations/local/queues", #"{"name":"\#(queue)"}"#),
    HTTPClient.Request(method: "PUT", url: "\(base)/v1/\(topic)", headers: [("Content-Type", "application/json")], body: Data("{}".utf8)),
    HTTPClient.Request(method: "PUT", url: "\(base)/v1/projects/bench/subscriptions/bench-\(run)", headers: [("Content-Type", "application/json")],
                       body: Data(#"{"topic":"\#(topic)"}"#.utf8)),
] {
    let response = try await client.execute(request)
    guard response.status == 200 else { fatalError("setup failed: \(response.status) \(String(decoding: response.body, as: UTF8.self))") }
}

let payload = Data(String(repeating: "{\"sku\":\"A-1\",\"url\":\"https://example.com/a.png\"}", count: 2).utf8).base64EncodedString()
let batch = "{\"messages\":[" + (0..<100).map { _ in "{\"data\":\"\(payload)\",\"attributes\":{\"job\":\"j\"}}" }.joined(separator: ",") + "]}"
let requests = settings.requests
let scenarios = [
    Scenario(title: "task creations, 1 per request", requests: requests, itemsPerRequest: 1, concurrency: 64) { index in
        post("\(base)/v2/\(queue)/tasks?%24alt=json%3Benum-encoding%3Dint",
             #"{"task":{"name":"\#(queue)/tasks/t-\#(index)","httpRequest":{"url":"http://127.0.0.1:8081/process","httpMethod":1,"body":"\#(payload)"}}}"#)
    },
    Scenario(title: "task creations, 1 per request", requests: requests, itemsPerRequest: 1, concurrency: 256) { index in
        post("\(base)/v2/\(queue)/tasks", #"{"task":{"name":"\#(queue)/tasks/u-\#(index)","httpRequest":{"url":"http://127.0.0.1:8081/process","body":"\#(payload)"}}}"#)
    },
    Scenario(title: "messages published, 1 per request", requests: requests, itemsPerRequest: 1, concurrency: 64) { _ in
        post("\(base)/v1/\(topic):publish?%24alt=json%3Benum-encoding%3Dint", #"{"messages":[{"data":"\#(payload)","attributes":{"job":"j"}}]}"#)
    },
    Scenario(title: "messages published, 100 per request", requests: max(1, requests / 10), itemsPerRequest: 100, concurrency: 16) { _ in
        post("\(base)/v1/\(topic):publish", batch)
    },
]

let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
    .split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown"
print("Machine: \(ProcessInfo.processInfo.activeProcessorCount) cores (nproc), \(cpu); \(Date())")
print("| Scenario | Concurrency | Items | Items/s | p50 ms | p99 ms | Failures |")
print("|---|---:|---:|---:|---:|---:|---:|")
var restPublish: [Double] = []
for scenario in scenarios {
    let result = try await measure(scenario, client: client)
    let figures = String(format: "%.0f | %.1f | %.1f", result.perSecond, result.p50, result.p99)
    print("| \(scenario.title) | \(scenario.concurrency) | \(scenario.requests * scenario.itemsPerRequest) | \(figures) | \(result.failures) |")
    if scenario.title.hasPrefix("messages") { restPublish.append(result.perSecond) }
}

// Pub/Sub over gRPC: the same messages to the same topic, on one HTTP/2 connection.
let pullTopic = "projects/bench/topics/pull-\(run)"
let restSubscription = "projects/bench/subscriptions/pull-rest-\(run)"
let grpcSubscription = "projects/bench/subscriptions/pull-grpc-\(run)"
let pullCount = max(1000, requests * 2)
for request in [
    HTTPClient.Request(method: "PUT", url: "\(base)/v1/\(pullTopic)", headers: [("Content-Type", "application/json")], body: Data("{}".utf8)),
    HTTPClient.Request(method: "PUT", url: "\(base)/v1/\(restSubscription)", headers: [("Content-Type", "application/json")], body: Data(#"{"topic":"\#(pullTopic)","ackDeadlineSeconds":60}"#.utf8)),
    HTTPClient.Request(method: "PUT", url: "\(base)/v1/\(grpcSubscription)", headers: [("Content-Type", "application/json")], body: Data(#"{"topic":"\#(pullTopic)","ackDeadlineSeconds":60}"#.utf8)),
] {
    let response = try await client.execute(request)
    guard response.status == 200 else { fatalError("setup failed: \(response.status) \(String(decoding: response.body, as: UTF8.self))") }
}
let payloadBytes = Data(base64Encoded: payload)!
let (grpcPublish, pulls) = try await PubSubThroughput.withClients(base: base) { publisher, subscriber in
    var rates: [Double] = []
    for (perRequest, concurrency) in [(1, 64), (100, 16)] {
        let count = perRequest == 1 ? requests : max(1, requests / 10)
        let result = try await PubSubThroughput.publish(publisher, topic: topic, payload: payloadBytes, requests: count, perRequest: perRequest, concurrency: concurrency)
        let figures = String(format: "%.0f | %.1f | %.1f", result.perSecond, result.p50, result.p99)
        print("| messages published over gRPC, \(perRequest) per request | \(concurrency) | \(count * perRequest) | \(figures) | \(result.failures) |")
        rates.append(result.perSecond)
    }
    // Both pull subscriptions get the same backlog, published in batches of 1,000 before either is timed.
    let thousand = "{\"messages\":[" + (0..<1000).map { _ in "{\"data\":\"\(payload)\",\"attributes\":{\"job\":\"j\"}}" }.joined(separator: ",") + "]}"
    for _ in 0..<(pullCount / 1000) {
        let response = try await client.execute(post("\(base)/v1/\(pullTopic):publish", thousand))
        guard response.status == 200 else { fatalError("prefill failed: \(response.status)") }
    }
    let count = pullCount / 1000 * 1000
    let rest = try await PubSubThroughput.restPull(client, base: base, subscription: restSubscription, count: count, workers: 4)
    print("| messages pulled and acked over REST (:pull 1000 + :acknowledge) | 4 | \(count) | \(String(format: "%.0f", rest)) | | | 0 |")
    let streamed = try await PubSubThroughput.streamingPull(subscriber, subscription: grpcSubscription, count: count)
    print("| messages received and acked over gRPC StreamingPull (1 stream, max_outstanding 1000) | 1 | \(count) | \(String(format: "%.0f", streamed)) | | | 0 |")
    return (rates, (rest: rest, streamed: streamed))
}
print("")
print(String(format: "gRPC/REST publish, 1 per request: %.2f; 100 per request: %.2f; StreamingPull/REST pull: %.2f",
             grpcPublish[0] / restPublish[0], grpcPublish[1] / restPublish[1], pulls.streamed / pulls.rest))
client.shutdown()
