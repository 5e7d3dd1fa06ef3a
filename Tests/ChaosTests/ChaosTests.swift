import Foundation
import FunctionsFramework
import GoogleCloud
import PipelineModel
import PixelPipeCore
import Synchronization
import Testing
import TestSupport

/// The chaos suite: a ~200-image job under `emulator up` with the real stage binaries, attacked
/// while it runs — the emulator SIGKILLed and SIGTERMed and started again at once, `process` and
/// `teardown` killed, the image host taken away for a minute, the disk filled and freed. Each
/// case must end exactly as if nothing had happened: every item counted once, every output
/// present once, the output CSV complete, the webhook delivered (a repeat only with the same
/// body and key), and a job submitted afterwards completing too. Each case prints its numbers.
@Suite("Chaos: the pipeline under faults", .serialized)
struct ChaosTests {
    /// One size in one format, so the suite measures the pipeline's bookkeeping, not libvips;
    /// dispatches held to 20 per second so every fault lands while the job is running. The
    /// queues' retry settings are the pipeline file's own defaults.
    static let environment = [
        "IMAGE_RECIPE": #"{"sizes":[{"name":"thumb","width":96}],"formats":["webp"]}"#,
        "IMAGE_QUEUE_RATE": "20",
        "SHARD_ROWS": "20",
    ]
    /// 100 products of two images: 200 images.
    static let rows = 100

    @Test("SIGKILL of the emulator and a restart within 1 s, five times in one job: the job completes exactly; every service keeps its URL", .timeLimit(.minutes(5)))
    func killEmulatorFiveTimes() async throws {
        try await withChaos("kill-emulator-5x") { chaos in
            try await chaos.images.serve {
                let urls = chaos.pipeline.serviceURLs
                let job = try await chaos.submit(rows: Self.rows)
                var doneAtKill: [Int] = []
                var gaps: [Duration] = []
                for round in 1...5 {
                    try await job.awaitDone((doneAtKill.last ?? 0) + (round == 1 ? 10 : 20), chaos.pipeline)
                    doneAtKill.append(await job.done(chaos.pipeline))
                    let (gap, after) = try await chaos.pipeline.restart(after: SIGKILL)
                    gaps.append(gap)
                    #expect(gap < .seconds(1), "restart \(round) began \(gap) after the kill")
                    #expect(after == urls, "restart \(round): services moved from \(urls) to \(after)")
                    let listed = await chaos.pipeline.status()?["services"] as? [[String: Any]] ?? []
                    #expect(Dictionary(uniqueKeysWithValues: listed.compactMap { service in (service["url"] as? String).map { (service["name"] as? String ?? "", $0) } }) == urls)
                }
                #expect(doneAtKill.allSatisfy { $0 < job.total }, "every kill landed while the job ran: \(doneAtKill)")
                print("chaos[kill-emulator-5x]: killed at \(doneAtKill) of \(job.total) items; restarts began \(gaps.map { "\($0.milliseconds) ms" }) after each kill")
                try await chaos.finish(job, case: "kill-emulator-5x")
            }
        }
    }

    @Test("SIGTERM of the emulator and a restart at once: the job completes exactly", .timeLimit(.minutes(5)))
    func terminateEmulator() async throws {
        try await withChaos("term-emulator") { chaos in
            try await chaos.images.serve {
                let urls = chaos.pipeline.serviceURLs
                let job = try await chaos.submit(rows: Self.rows)
                try await job.awaitDone(60, chaos.pipeline)
                let (gap, after) = try await chaos.pipeline.restart(after: SIGTERM)
                #expect(after == urls)
                print("chaos[term-emulator]: restarted \(gap.milliseconds) ms after the emulator exited")
                try await chaos.finish(job, case: "term-emulator")
            }
        }
    }

    @Test("SIGKILL of process three times mid-job: the job completes exactly", .timeLimit(.minutes(5)))
    func killProcessStage() async throws {
        try await withChaos("kill-process-3x") { chaos in
            try await chaos.images.serve {
                let job = try await chaos.submit(rows: Self.rows)
                var killedAt: [Int] = []
                for _ in 1...3 {
                    try await job.awaitDone((killedAt.last ?? 0) + 30, chaos.pipeline)
                    let old = chaos.pipeline.pid(of: "process")
                    try chaos.pipeline.killStage("process")
                    killedAt.append(await job.done(chaos.pipeline))
                    _ = try await eventually("process to be restarted", within: .seconds(30)) { () -> Bool? in
                        let new = chaos.pipeline.pid(of: "process")
                        return new != nil && new != old ? true : nil
                    }
                }
                print("chaos[kill-process-3x]: process killed at \(killedAt) of \(job.total) items")
                try await chaos.finish(job, case: "kill-process-3x")
            }
        }
    }

    @Test("SIGKILL of teardown while it finalizes (its webhook call in flight): the webhook is delivered again with the same body and key", .timeLimit(.minutes(5)))
    func killTeardownWhileFinalizing() async throws {
        // The receiver holds the first call of each job, so teardown is caught mid-finalization.
        let held = Mutex<Set<String>>([])
        try await withChaos("kill-teardown", webhookDelay: { request in
            held.withLock { $0.insert(request.path).inserted } ? .seconds(5) : .zero
        }) { chaos in
            try await chaos.images.serve {
                let job = try await chaos.submit(rows: Self.rows)
                _ = try await eventually("the first webhook call", within: .seconds(180), context: { chaos.pipeline.recentLog() }) { () -> Bool? in
                    job.calls(chaos.webhooks).isEmpty ? nil : true
                }
                try chaos.pipeline.killStage("teardown")
                let report = try await chaos.finish(job, case: "kill-teardown")
                #expect(report.webhooks >= 2, "the killed finalization's webhook was sent again")
            }
        }
    }

    @Test("the image host taken away for 60 s mid-job: images are retried until it is back; the job completes exactly", .timeLimit(.minutes(6)))
    func imageHostOutage() async throws {
        try await withChaos("image-host-60s") { chaos in
            let job = try await chaos.images.serve {
                let job = try await chaos.submit(rows: Self.rows)
                try await job.awaitDone(50, chaos.pipeline)
                return job
            }
            // Down: connections to the image host are refused for 60 s.
            let downAt = ContinuousClock.now
            var doneWhileDown = await job.done(chaos.pipeline)
            while ContinuousClock.now - downAt < .seconds(60) {
                try await Task.sleep(for: .seconds(5))
                let record = await job.record(chaos.pipeline)
                #expect(record?.failed == 0, "an image was given up during the outage")
                #expect(record?.status == .running)
                doneWhileDown = await job.done(chaos.pipeline)
            }
            print("chaos[image-host-60s]: \(doneWhileDown) of \(job.total) items recorded when the host came back")
            try await chaos.images.serve {
                let report = try await chaos.finish(job, case: "image-host-60s")
                #expect(report.retriedItems > 0, "images were retried across the outage")
            }
        }
    }

    @Test("the disk filled mid-job and freed again: deliveries pause ('disk full' in status), then resume by themselves; the job completes exactly", .timeLimit(.minutes(5)),
          .enabled(if: TmpfsMount.isAvailable, "needs root to mount a tmpfs"))
    func diskFull() async throws {
        let disk = try TmpfsMount(megabytes: 64)
        defer { disk.unmount() }
        try await withChaos("disk-full", dataDirectory: disk.directory.appendingPathComponent("data")) { chaos in
            try await chaos.images.serve {
                let job = try await chaos.submit(rows: Self.rows)
                try await job.awaitDone(50, chaos.pipeline)
                try disk.fill()
                let shown = try await eventually("status to report the full disk", within: .seconds(30)) { () -> String? in
                    (await chaos.pipeline.status()?["disk"] as? [String: Any])?["kind"] as? String
                }
                #expect(shown == "full")
                let text = String(decoding: try await HTTPClient().get(chaos.pipeline.baseURL + "/_emulator/status?format=text").body, as: UTF8.self)
                #expect(text.contains("disk full: deliveries paused"))
                try await Task.sleep(for: .seconds(10))
                let whileFull = await job.done(chaos.pipeline)
                #expect(await job.record(chaos.pipeline)?.status == .running)
                try disk.free()
                _ = try await eventually("deliveries to resume", within: .seconds(30)) { () -> Bool? in
                    guard let status = await chaos.pipeline.status() else { return nil }
                    return status["disk"] == nil ? true : nil
                }
                print("chaos[disk-full]: \(whileFull) of \(job.total) items recorded when space was freed")
                try await chaos.finish(job, case: "disk-full")
            }
        }
    }
}

/// Everything a chaos case works with.
final class Chaos: Sendable {
    let pipeline: ChaosPipeline
    let images: ImageHost
    let webhooks: RecordingServer
    let webhookBase: String
    let name: String
    private let jobs = Mutex(0)

    init(pipeline: ChaosPipeline, images: ImageHost, webhooks: RecordingServer, webhookBase: String, name: String) {
        self.pipeline = pipeline
        self.images = images
        self.webhooks = webhooks
        self.webhookBase = webhookBase
        self.name = name
    }

    /// Uploads a new job of `rows` products (two images each).
    func submit(rows: Int) async throws -> ChaosJob {
        let number = jobs.withLock { count in
            count += 1
            return count
        }
        return try await ChaosJob.submit("\(name)-\(number)", rows: rows, firstImage: number * 1000, pipeline: pipeline, images: images, webhookBase: webhookBase)
    }

    /// Waits for `job` to finish, audits it and prints its numbers; then a job submitted
    /// afterwards must complete exactly too. Returns the audit of `job`.
    @discardableResult
    func finish(_ job: ChaosJob, case name: String) async throws -> ChaosReport {
        let report = try await audit(job)
        print("chaos[\(name)]: \(report)")
        #expect(report.isExact, "\(report)")
        let next = try await submit(rows: 10)
        let after = try await audit(next)
        print("chaos[\(name)] job submitted afterwards: \(after)")
        #expect(after.isExact, "\(after)")
        return report
    }

    private func audit(_ job: ChaosJob) async throws -> ChaosReport {
        let took = try await job.awaitFinished(pipeline, webhooks: webhooks)
        var report = try await job.audit(pipeline, webhooks: webhooks, secret: try pipeline.webhookSecret())
        report.secondsToFinish = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
        return report
    }
}

/// Runs `body` against a fresh chaos pipeline (on `dataDirectory`, else a temporary one) with a
/// webhook receiver answering 200 after `webhookDelay`; stops everything afterwards.
func withChaos(
    _ name: String, dataDirectory: URL? = nil, webhookDelay: @escaping @Sendable (RecordedRequest) -> Duration = { _ in .zero },
    _ body: @Sendable (Chaos) async throws -> Void
) async throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-chaos-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: root) }
    let pipeline = try ChaosPipeline(root: root, dataDirectory: dataDirectory ?? root.appendingPathComponent("data"), environment: ChaosTests.environment)
    let images = try ImageHost(port: LoopbackPort.stable(excluding: [pipeline.port]))
    let webhooks = RecordingServer()
    try await webhooks.run(respond: { _, _ in (200, "{}", [:]) }, delay: webhookDelay) { port in
        try await pipeline.start()
        do {
            try await body(Chaos(pipeline: pipeline, images: images, webhooks: webhooks, webhookBase: "http://127.0.0.1:\(port)", name: name))
            await pipeline.shutdown()
        } catch {
            print("chaos[\(name)] failed; emulator log (end):\n\(pipeline.recentLog())")
            if let crash = pipeline.crashReport() { print("chaos[\(name)]: an emulator crashed:\n\(crash)") }
            await pipeline.shutdown()
            throw error
        }
    }
}
