// Drop-to-trigger latency of the emulator: from a file being written into a bucket folder (or an
// upload being acknowledged) to the CloudEvent arriving at the function. Runs the release
// `emulator` binary with a pipeline whose trigger points at a receiver in this process.
//
//   swift build -c release && swift run -c release TriggerLatencyBenchmark [--drops 50]
import BenchmarkSupport
import Foundation
import FunctionsFramework
import GoogleCloud
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

func waitFor(_ predicate: () -> Bool, within limit: Duration) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if predicate() { return true }
        try await Task.sleep(for: .microseconds(200))
    }
    return false
}

func percentile(_ sorted: [Double], _ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))] }

func report(_ label: String, _ samples: [Double]) {
    let sorted = samples.sorted()
    print(label.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: "p50 %6.1f ms   p90 %6.1f ms   max %6.1f ms   (%d)", percentile(sorted, 0.5), percentile(sorted, 0.9), sorted.last ?? 0, sorted.count))
}

func milliseconds(_ duration: Duration) -> Double { Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15 }

func run() async throws {
    let drops = Int(CommandLine.arguments.drop { $0 != "--drops" }.dropFirst().first ?? "") ?? 50
    let arrivals = Mutex<[String: ContinuousClock.Instant]>([:])
    var quiet = Logger(label: "receiver")
    quiet.logLevel = .warning

    // The function: records when each object's event arrives.
    let router = Router()
    router.post("/") { request, _ in
        if let subject = request.headers[HTTPField.Name("ce-subject")!] {
            let now = ContinuousClock.now
            arrivals.withLock { $0[subject] = now }
        }
        return Response(status: .noContent)
    }
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let receiver = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { portContinuation.yield($0.localAddress?.port ?? 0) }, logger: quiet
    )
    let group = ServiceGroup(configuration: .init(services: [receiver], logger: quiet))
    let serving = Task { try await group.run() }
    var portIterator = ports.makeAsyncIterator()
    let receiverPort = await portIterator.next()!

    // The emulator, with a trigger on bucket `drops` → the receiver.
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-trigger-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: work) }
    let pipeline = work.appendingPathComponent("pipeline.yaml")
    try """
    buckets: [{name: drops}]
    services: [{name: sink, url: "http://127.0.0.1:\(receiverPort)"}]
    triggers: [{name: all, bucket: drops, service: sink}]
    """.write(to: pipeline, atomically: true, encoding: .utf8)
    let emulator = ChildEmulator(arguments: ["--pipeline", pipeline.path])
    try emulator.start(readyMessage: "pipeline ready")
    defer { emulator.stop() }
    let emulatorURL = emulator.url


    // Drops: write a file, close it, wait for its event.
    let folder = emulator.dataDirectory.appendingPathComponent("buckets/drops")
    var dropLatencies: [Double] = []
    let payload = Data(repeating: 0x2C, count: 4096)
    for index in 0..<drops {
        let name = "drop-\(index).csv"
        try payload.write(to: folder.appendingPathComponent(name))
        let written = ContinuousClock.now
        guard try await waitFor({ arrivals.withLock { $0["objects/\(name)"] } != nil }, within: .seconds(10)) else {
            print("no event for \(name)")
            exit(1)
        }
        dropLatencies.append(milliseconds(arrivals.withLock { $0["objects/\(name)"]! } - written))
    }

    // Uploads through the API: from the acknowledged upload to the event.
    let storage = StorageClient(api: GoogleAPIClient(endpoints: .emulator(emulatorURL)))
    var uploadLatencies: [Double] = []
    for index in 0..<drops {
        let name = "upload-\(index).csv"
        try await storage.upload(payload, bucket: "drops", name: name, options: .init(contentType: "text/csv"))
        let acknowledged = ContinuousClock.now
        guard try await waitFor({ arrivals.withLock { $0["objects/\(name)"] } != nil }, within: .seconds(10)) else {
            print("no event for \(name)")
            exit(1)
        }
        uploadLatencies.append(milliseconds(arrivals.withLock { $0["objects/\(name)"]! } - acknowledged))
    }

    print("drop-to-trigger latency, \(drops) files of 4 KiB each way (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
    report("file closed in bucket folder → CloudEvent", dropLatencies)
    report("API upload acknowledged → CloudEvent", uploadLatencies)
    await group.triggerGracefulShutdown()
    _ = try? await serving.value
}

try await run()
