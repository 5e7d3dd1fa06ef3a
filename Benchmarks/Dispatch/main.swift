// DispatchBenchmark: tasks per second the emulator's dispatcher delivers to a no-op handler,
// with each queue at Cloud Tasks' maximum rate (maxDispatchesPerSecond 500) and
// maxConcurrentDispatches 64. One queue is capped at 500/s by its token bucket, so the
// several-queue scenarios show what the dispatcher itself sustains.
//
//   swift build -c release --product emulator
//   swift run -c release DispatchBenchmark [--tasks N]
//
// With --database-size it measures instead the database through a 150,000-task job and after
// the queue is deleted (DatabaseSizeRun.swift):
//   swift run -c release DispatchBenchmark --database-size [--tasks N] [--name-retention S]
//
// It starts the `emulator` binary from its own build directory on a free port with a fresh
// data directory, serves the no-op handler in-process, and stops both at the end.
import BenchmarkSupport
import Foundation
import GoogleCloud
import Hummingbird
import Logging
import PipelineModel
import ServiceLifecycle
import Synchronization

/// Command-line settings.
struct Settings {
    var tasks: Int?
    var databaseSize = false
    /// Seconds a finished task's name is kept, for --database-size.
    var nameRetention = 30

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--tasks": tasks = iterator.next().flatMap(Int.init) ?? tasks
            case "--database-size": databaseSize = true
            case "--name-retention": nameRetention = iterator.next().flatMap(Int.init) ?? nameRetention
            default: FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8)); exit(2)
            }
        }
    }
}

/// A counter and an instant shared between tasks: requests the no-op handler has answered and
/// when the last one came, or the next task index to create.
final class Arrivals: Sendable {
    let count = Atomic<Int>(0)
    let last = Mutex<ContinuousClock.Instant>(.now)
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

func send(_ client: HTTPClient, _ method: String, _ url: String, _ json: String) async throws {
    let response = try await client.execute(.init(method: method, url: url, headers: [("Content-Type", "application/json")], body: Data(json.utf8)))
    guard response.status == 200 else { fatalError("\(method) \(url) failed: \(response.status) \(String(decoding: response.body, as: UTF8.self))") }
}

/// Creates `tasks` tasks round-robin over `queues`, 64 creations in flight.
func fill(queues: [String], tasks: Int, client: HTTPClient, base: String, target: String) async throws {
    let next = Arrivals()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<64 {
            group.addTask {
                while true {
                    let index = next.count.add(1, ordering: .relaxed).oldValue
                    if index >= tasks { return }
                    let queue = queues[index % queues.count]
                    try await send(client, "POST", "\(base)/v2/\(queue)/tasks",
                                   #"{"task":{"name":"\#(queue)/tasks/t\#(index)","httpRequest":{"url":"\#(target)","body":"e30="}}}"#)
                }
            }
        }
        try await group.waitForAll()
    }
}

let settings = Settings(arguments: CommandLine.arguments)
var configuration = HTTPClient.Configuration()
configuration.maxIdleConnections = 512
let client = HTTPClient(configuration: configuration)

// The no-op handler.
let arrivals = Arrivals()
let router = Router()
router.post("/noop") { _, _ -> HTTPResponse.Status in
    arrivals.count.add(1, ordering: .relaxed)
    arrivals.last.withLock { $0 = .now }
    return .ok
}
var quiet = Logger(label: "dispatch-bench")
quiet.logLevel = .critical  // cancelling the server at exit logs errors
let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
let handler = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                          onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) }, logger: quiet)
let server = Task { try await handler.runService(gracefulShutdownSignals: []) }
let handlerPort = await ports.first { _ in true } ?? 0
let target = "http://127.0.0.1:\(handlerPort)/noop"

if settings.databaseSize {
    try await databaseSizeBenchmark(tasks: settings.tasks ?? 150_000, nameRetention: settings.nameRetention, target: target,
                                    arrivals: arrivals, client: client)
    client.shutdown()
    server.cancel()
    exit(0)
}

let tasks = settings.tasks ?? 10_000
let child = ChildEmulator()
try child.start()
defer { child.stop() }
let base = child.url

print("Machine: \(Machine.cores) cores (nproc), \(Machine.cpuModel); load \(loadAverage()); \(Date())")
print("| Queues | Rate cap (500/s per queue) | Tasks | Dispatched/s | Seconds to last dispatch | Seconds to all outcomes committed |")
print("|---:|---:|---:|---:|---:|---:|")

for (round, queueCount) in [1, 4, 8, 16, 32].enumerated() {
    let queues = (0..<queueCount).map { "projects/bench/locations/local/queues/r\(round)-q\($0)" }
    for queue in queues {
        try await send(client, "POST", "\(base)/v2/projects/bench/locations/local/queues",
                       #"{"name":"\#(queue)","rateLimits":{"maxDispatchesPerSecond":500,"maxConcurrentDispatches":64}}"#)
        try await send(client, "POST", "\(base)/v2/\(queue):pause", "{}")
    }
    try await fill(queues: queues, tasks: tasks, client: client, base: base, target: target)
    let before = arrivals.count.load(ordering: .relaxed)
    let started = ContinuousClock.now
    for queue in queues { try await send(client, "POST", "\(base)/v2/\(queue):resume", "{}") }
    while arrivals.count.load(ordering: .relaxed) - before < tasks {
        try await Task.sleep(for: .milliseconds(5))
    }
    let elapsed = (arrivals.last.withLock { $0 } - started).seconds
    // The outcomes are committed after the handler answers; wait until every queue is empty.
    for queue in queues {
        while true {
            let listed = try await client.execute(.init(method: "GET", url: "\(base)/v2/\(queue)/tasks?pageSize=1"))
            let object = try JSONSerialization.jsonObject(with: listed.body) as? [String: Any]
            if (object?["tasks"] as? [Any] ?? []).isEmpty { break }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
    let committed = (ContinuousClock.now - started).seconds
    let rates = String(format: "%.0f | %.2f | %.2f", Double(tasks) / elapsed, elapsed, committed)
    print("| \(queueCount) | \(queueCount * 500)/s | \(tasks) | \(rates) |")
}
client.shutdown()
server.cancel()
