// `DispatchBenchmark --database-size`: the size of the emulator's database through a
// 150,000-task job and after it. A queue like a job's images-JOB queue gets 150,000 tasks with
// process's real task body (ImageTask), the dispatcher delivers every one to the no-op handler,
// the queue is deleted as teardown does, and the benchmark waits for the task-name window and
// the maintenance. It runs the job twice: with the maintenance effectively off (its interval a
// year, so freed pages stay in the file, as before it existed) and with it on.
import BenchmarkSupport
import Foundation
import GoogleCloud
import PipelineModel
import Synchronization

/// Bytes of emulator.sqlite plus its WAL in `directory`.
func databaseBytes(_ directory: URL) -> (database: Int, wal: Int) {
    func size(_ name: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path))?[.size] as? NSNumber)?.intValue ?? 0
    }
    return (size("emulator.sqlite"), size("emulator.sqlite-wal"))
}

func mebibytes(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1_048_576) }

/// The largest database + WAL size seen, sampled every 250 ms until cancelled.
final class PeakSize: Sendable {
    let peak = Mutex<(database: Int, wal: Int, total: Int)>((0, 0, 0))

    func sample(_ directory: URL) async {
        while !Task.isCancelled {
            let (database, wal) = databaseBytes(directory)
            peak.withLock { if database + wal > $0.total { $0 = (database, wal, database + wal) } }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }
}

/// One job through an emulator started with `maintenance` arguments; prints a table row.
func databaseSizeRun(label: String, maintenance: [String], waitAfterDelete: Duration, tasks: Int, target: String, arrivals: Arrivals,
                     client: HTTPClient) async throws {
    let child = ChildEmulator(arguments: ["--pipeline", "none"] + maintenance)
    try child.start()
    defer { child.stop() }
    let base = child.url
    let job = JobID("0123456789abcdef")!
    let queue = "projects/bench/locations/local/queues/images-\(job)"
    try await send(client, "POST", "\(base)/v2/projects/bench/locations/local/queues", #"{"name":"\#(queue)"}"#)
    let recipe = #"{"sizes":[{"name":"thumb","width":160,"height":160,"fit":"cover"},{"name":"large","width":1200,"fit":"inside"}],"formats":["webp","jpeg"],"quality":50,"stripMetadata":true}"#

    let peak = PeakSize()
    let directory = child.dataDirectory
    let sampler = Task { await peak.sample(directory) }
    let before = arrivals.count.load(ordering: .relaxed)
    let started = ContinuousClock.now
    let next = Arrivals()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<64 {
            group.addTask {
                let encoder = JSONEncoder()
                while true {
                    let index = next.count.add(1, ordering: .relaxed).oldValue
                    if index >= tasks { return }
                    let row = index / 3 + 2, position = index % 3 + 1
                    let body = try encoder.encode(ImageTask(job: job, row: row, index: position,
                                                            url: "https://images.example.com/catalogue/\(row)/photo-\(position).jpg",
                                                            product: "Product \(row)", recipe: recipe))
                    try await send(client, "POST", "\(base)/v2/\(queue)/tasks", #"""
                        {"task":{"name":"\#(queue)/tasks/\#(job)-\#(row)-\#(position)","httpRequest":{"url":"\#(target)","httpMethod":"POST","headers":{"Content-Type":"application/json"},"body":"\#(body.base64EncodedString())"}}}
                        """#)
                }
            }
        }
        try await group.waitForAll()
    }
    let created = ContinuousClock.now - started
    while arrivals.count.load(ordering: .relaxed) - before < tasks {
        try await Task.sleep(for: .milliseconds(50))
    }
    while true {
        let listed = try await client.execute(.init(method: "GET", url: "\(base)/v2/\(queue)/tasks?pageSize=1"))
        let object = try JSONSerialization.jsonObject(with: listed.body) as? [String: Any]
        if (object?["tasks"] as? [Any] ?? []).isEmpty { break }
        try await Task.sleep(for: .milliseconds(50))
    }
    let dispatched = ContinuousClock.now - started
    let done = databaseBytes(directory)

    let deleted = ContinuousClock.now
    let response = try await client.execute(.init(method: "DELETE", url: "\(base)/v2/\(queue)"))
    guard response.status == 200 else { fatalError("deleting the queue failed: \(response.status)") }
    let afterDelete = databaseBytes(directory)
    // Until the size has not changed for 5 s, after at least `waitAfterDelete`.
    var last = databaseBytes(directory)
    var stableSince = ContinuousClock.now
    var settled = deleted
    while ContinuousClock.now - deleted < waitAfterDelete || ContinuousClock.now - stableSince < .seconds(5) {
        try await Task.sleep(for: .milliseconds(250))
        let now = databaseBytes(directory)
        if now != last { last = now; stableSince = .now; settled = .now }
    }
    sampler.cancel()
    let top = peak.peak.withLock { $0 }
    let final = databaseBytes(directory)
    print("| \(label) | \(tasks) | \(String(format: "%.0f / %.0f", created.seconds, dispatched.seconds)) "
        + "| \(mebibytes(top.total)) (\(mebibytes(top.wal)) WAL) | \(mebibytes(done.database + done.wal)) "
        + "| \(mebibytes(afterDelete.database + afterDelete.wal)) | \(mebibytes(final.database)) + \(mebibytes(final.wal)) WAL "
        + "| \(String(format: "%.1f", (settled - deleted).seconds)) |")
}

func databaseSizeBenchmark(tasks: Int, nameRetention: Int, target: String, arrivals: Arrivals, client: HTTPClient) async throws {
    print("Machine: \(Machine.cores) cores (nproc), \(Machine.cpuModel); load \(loadAverage()); \(Machine.date)")
    print("Task-name window \(nameRetention) s; sizes in MiB of emulator.sqlite + emulator.sqlite-wal")
    print("| Maintenance | Tasks | s to create / to all dispatched | Peak | Job done | Queue deleted | Settled | s from delete to settled |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    let year = String(365 * 24 * 3600)
    try await databaseSizeRun(label: "off (interval 1 year)", maintenance: ["--task-name-retention", "\(nameRetention)", "--maintenance-interval", year],
                              waitAfterDelete: .seconds(nameRetention + 5), tasks: tasks, target: target, arrivals: arrivals, client: client)
    try await databaseSizeRun(label: "on (every 1 s)", maintenance: ["--task-name-retention", "\(nameRetention)", "--maintenance-interval", "1"],
                              waitAfterDelete: .seconds(nameRetention + 5), tasks: tasks, target: target, arrivals: arrivals, client: client)
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}
