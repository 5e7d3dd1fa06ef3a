import Foundation
import GoogleCloud
import PipelineModel
import PixelPipeCore
import Testing
import TestSupport
@testable import Emulator

@Suite("Dashboard")
struct DashboardTests {
    @Test("the page lists a created queue and a job's progress; status text and /metrics say the same")
    func showsQueuesAndJobs() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-dashboard-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try EmulatorStore(directory: directory)
        let configuration = EmulatorConfiguration(dataDirectory: directory, host: "127.0.0.1", port: 0)
        let recent = RecentInvocations()
        await recent.record(Invocation(
            kind: .task, source: "projects/demo/locations/us-central1/queues/images-0123abcd", item: "0123abcd-1-0",
            target: "http://127.0.0.1:9/", status: 503, latency: .milliseconds(12), timeMicroseconds: 1_795_000_000_000_000
        ))
        try await withRunningApplication({ onRunning in
            try EmulatorServer.makeApplication(configuration: configuration, store: store, recent: recent, metrics: EmulatorMetrics(), logger: quietLogger, onServerRunning: onRunning)
        }) { port in
            let api = GoogleAPIClient(endpoints: .emulator("http://127.0.0.1:\(port)"))
            let tasks = CloudTasksClient(api: api, project: "demo", location: "us-central1")
            try await tasks.createQueue("images-0123abcd", rateLimits: .init(maxDispatchesPerSecond: 20, maxConcurrentDispatches: 3))
            try await tasks.createTask(CloudTask(name: tasks.taskName("0123abcd-1-0", queue: "images-0123abcd"), httpRequest: .init(url: "http://127.0.0.1:9/")), queue: "images-0123abcd")
            let pubsub = PubSubClient(api: api, project: "demo")
            try await pubsub.createTopic("shards")
            try await pubsub.createTopic("shards-dead")
            try await pubsub.createSubscription("shards-populate", GoogleCloud.PubSubSubscription(
                topic: pubsub.topicName("shards"), pushConfig: .init(pushEndpoint: "http://127.0.0.1:9/"),
                deadLetterPolicy: .init(deadLetterTopic: pubsub.topicName("shards-dead"), maxDeliveryAttempts: 5)
            ))
            _ = try await pubsub.publish([.init(data: Data("shard".utf8))], to: "shards")
            let firestore = FirestoreClient(api: api, project: "demo")
            // A running job of 10 items as the pipeline stores it: its document plus counter shards,
            // 3 succeeded and 1 failed between them.
            let jobs = JobStore(firestore: firestore)
            let job = JobID("0123abcd0123abcd")!
            try await jobs.create(JobRecord(
                id: job, source: .init(bucket: "up", name: "p.csv", generation: "1"), total: 10, rows: 10, invalidRows: 0, shards: 1,
                counterShards: 2, recipe: nil, webhookURL: nil, createdAt: Date(), deadline: Date() + 3600
            ))
            try await jobs.put(CounterShard(succeeded: 2, failed: 1, remaining: 2), job: job, shard: 0)
            try await jobs.put(CounterShard(succeeded: 1, remaining: 4), job: job, shard: 1)
            // Its failed item, whose reason the page shows; a succeeded one it does not.
            try await jobs.put(ItemRecord(row: 2, index: 1, url: "http://127.0.0.1:9/a.jpg", product: "A", status: .succeeded, recordedAt: "2026-11-25T00:00:01.000Z"), job: job)
            try await jobs.put(ItemRecord(row: 3, index: 1, url: "http://127.0.0.1:9/b.jpg", product: "B", status: .failed,
                                          error: "http://127.0.0.1:9/b.jpg: the source answered HTTP 404", recordedAt: "2026-11-25T00:00:02.000Z"), job: job)

            let client = HTTPClient()
            let page = try await client.get("http://127.0.0.1:\(port)/")
            #expect(page.status == 200)
            #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
            let html = String(decoding: page.body, as: UTF8.self)
            #expect(html.contains(#"<meta http-equiv="refresh""#))
            #expect(html.contains("<code>images-0123abcd</code>"))
            #expect(html.contains("20/s, ≤3 at once"))
            #expect(html.contains("<code>0123abcd0123abcd</code>"))
            // 3 of 10 succeeded (green), 1 failed (red).
            #expect(html.contains(#"<div class="fill ok" style="width:30%"></div><div class="fill bad" style="width:10%"></div></div> 40%"#))
            #expect(html.contains("4 / 10"))
            #expect(html.contains(#"<span class="muted">p.csv</span>"#))
            #expect(html.contains("<div>http://127.0.0.1:9/b.jpg: the source answered HTTP 404</div>"))
            #expect(html.contains("images-0123abcd 0123abcd-1-0 → http://127.0.0.1:9/"))
            #expect(html.contains("<code>shards-populate</code></td><td>shards</td><td><code>http://127.0.0.1:9/</code></td><td>1</td><td>0</td>"))
            #expect(html.contains(#"<td class="failed">503</td>"#))
            #expect(!html.contains("<script"))

            let status = try JSONSerialization.jsonObject(with: try await client.get("http://127.0.0.1:\(port)/_emulator/status").body) as? [String: Any]
            let shown = (status?["jobs"] as? [[String: Any]])?.first
            #expect(shown?["job"] as? String == "0123abcd0123abcd")
            #expect(shown?["sourceName"] as? String == "p.csv")
            #expect(shown?["failureReasons"] as? [String] == ["http://127.0.0.1:9/b.jpg: the source answered HTTP 404"])

            let text = String(decoding: try await client.get("http://127.0.0.1:\(port)/_emulator/status?format=text").body, as: UTF8.self)
            #expect(text.contains("job 0123abcd0123abcd  running  [########------------]  4/10  (1 failed)"))
            #expect(text.contains("images-0123abcd  RUNNING  pending 1  in flight 0  retrying 0  failed 0"))
            #expect(text.contains("shards-populate ← shards  backlog 1  in flight 0  dead-lettered 0 → shards-dead"))

            let metrics = String(decoding: try await client.get("http://127.0.0.1:\(port)/metrics").body, as: UTF8.self)
            #expect(metrics.contains(#"pixelpipe_emulator_queue_tasks{queue="images-0123abcd"} 1"#))
            #expect(metrics.contains(#"pixelpipe_emulator_job_progress_ratio{job="0123abcd0123abcd"} 0.4"#))
            #expect(metrics.contains(#"pixelpipe_emulator_subscription_backlog{subscription="shards-populate"} 1"#))
        }
    }

    @Test("the page and the status text list every service with its URL, state, pid, revision and restarts, and a full disk")
    func servicesAndDisk() {
        let snapshot = DashboardSnapshot(
            takenAt: "2026-11-25T00:00:00Z",
            disk: StoreHealth.DiskProblem(kind: .full, sinceMicroseconds: 0, detail: "could not write /data/tmp/x: No space left on device"),
            services: [
                ServiceStatus(name: "ingest", url: "http://127.0.0.1:20001", state: .ready, pid: 4242, revision: "ingest-00001", restarts: 0),
                ServiceStatus(name: "process", url: "http://127.0.0.1:20003", state: .restarting, pid: nil, revision: "process-00003", restarts: 2),
            ],
            jobs: [], queues: [], subscriptions: [], pendingTriggerEvents: 0, warnings: [], recent: []
        )
        let page = DashboardPage.render(snapshot)
        #expect(page.contains("disk full: deliveries paused (could not write /data/tmp/x: No space left on device)"))
        #expect(page.contains("<td><code>ingest</code></td><td><code>http://127.0.0.1:20001</code></td><td>ready</td><td>4242</td><td>ingest-00001</td>"))
        #expect(page.contains("<td>restarting</td><td>—</td><td>process-00003</td><td class=\"failed\">2</td>"))
        let text = DashboardText.render(snapshot)
        #expect(text.contains("!! disk full: deliveries paused"))
        #expect(text.contains("  ingest  http://127.0.0.1:20001  ready  pid 4242  ingest-00001  restarts 0"))
        #expect(text.contains("  process  http://127.0.0.1:20003  restarting  process-00003  restarts 2"))
        let metrics = EmulatorMetrics().exposition(snapshot)
        #expect(metrics.contains("pixelpipe_emulator_deliveries_paused 1"))
        #expect(metrics.contains(#"pixelpipe_emulator_service_restarts{service="process"} 2"#))
    }

    /// A job of 10 items as the page gets it, finalized with `status` after `succeeded` and `failed`.
    private static func job(_ status: JobRecord.Status, succeeded: Int, failed: Int, reasons: [String] = [], console: String? = nil, outputCsv: String? = nil) -> DashboardJob {
        var record = JobRecord(
            id: JobID("00000000000000aa")!, status: status, source: .init(bucket: "up", name: "api/k/products.csv", generation: "7"),
            total: 10, rows: 10, invalidRows: 0, shards: 1, recipe: nil, webhookURL: nil,
            createdAt: Date(timeIntervalSince1970: 1_795_000_000), deadline: Date(timeIntervalSince1970: 1_795_003_600),
            error: status == .rejected ? "no column of image URLs (header: a, b)" : nil
        )
        if status != .running {
            record.finalCounts = .init(succeeded: succeeded, failed: failed, missing: 10 - succeeded - failed)
            record.finalizedAt = "2026-11-18T11:08:20.000Z"
        }
        let view = JobView(JobState(record: record, counters: [CounterShard(succeeded: succeeded, failed: failed, remaining: 10 - succeeded - failed)]), links: .publicStorage, bucket: "")
        return DashboardJob(
            view: view, sourceName: DashboardJob.sourceName(of: record),
            durationSeconds: DashboardJob.duration(createdAt: record.createdAt, finalizedAt: record.finalizedAt, now: Date(timeIntervalSince1970: 1_795_000_012)),
            failureReasons: reasons, links: .init(console: console, outputCsv: outputCsv)
        )
    }

    @Test("a job's row shows its file name, creation time, duration, failure reasons and links to the console and the output CSV")
    func jobRow() {
        let job = Self.job(.finishedWithErrors, succeeded: 8, failed: 2, reasons: ["http://x/1.jpg: the source answered HTTP 404", "row 9: no product name"],
                           console: "http://127.0.0.1:8086/#/jobs/00000000000000aa", outputCsv: "/storage/v1/b/out/o/x%2Foutput.csv?alt=media")
        let page = DashboardPage.render(DashboardSnapshot(
            takenAt: "2026-11-25T00:00:00Z", disk: nil,
            services: [ServiceStatus(name: "api", url: "http://127.0.0.1:8086", state: .ready, pid: 7, revision: "api-00001", restarts: 0)],
            jobs: [job], queues: [], subscriptions: [], pendingTriggerEvents: 0, warnings: [], recent: []
        ))
        #expect(job.sourceName == "products.csv")
        #expect(page.contains(#"<a href="/dashboard/jobs/00000000000000aa"><code>00000000000000aa</code></a><br><span class="muted">products.csv</span>"#))
        #expect(page.contains("<td>2026-11-18 11:06:40Z</td><td>1 min 40 s</td>"))
        #expect(page.contains(#"<td class="status-finished_with_errors">finished_with_errors</td>"#))
        #expect(page.contains("<div>http://x/1.jpg: the source answered HTTP 404</div><div>row 9: no product name</div>"))
        #expect(page.contains(#"<a href="http://127.0.0.1:8086/#/jobs/00000000000000aa">console</a> · <a href="/storage/v1/b/out/o/x%2Foutput.csv?alt=media">output CSV</a>"#))
        #expect(page.contains("<td><code>api</code></td><td><code>http://127.0.0.1:8086</code></td>"))
        #expect(Self.job(.running, succeeded: 1, failed: 0).durationSeconds == 12)
    }

    @Test("the bar is green for succeeded items and red for failed ones; no outcome but success is green", arguments: [
        (JobRecord.Status.finished, 10, 0, [("ok", "100")]),
        (.finishedWithErrors, 7, 3, [("ok", "70"), ("bad", "30")]),
        (.running, 4, 1, [("ok", "40"), ("bad", "10")]),
        (.timedOut, 6, 1, [("stopped", "60"), ("bad", "10")]),
        (.rejected, 0, 0, [("rejected", "100")]),
    ])
    func barColours(status: JobRecord.Status, succeeded: Int, failed: Int, segments: [(String, String)]) {
        let bar = DashboardPage.progressBar(Self.job(status, succeeded: succeeded, failed: failed))
        let expected = segments.map { #"<div class="fill \#($0.0)" style="width:\#($0.1)%"></div>"# }.joined()
        #expect(bar.contains(#"<div class="bar" title=""#))
        #expect(bar.contains(">" + expected + "</div>"))
        if status == .timedOut || status == .rejected { #expect(!bar.contains("fill ok")) }
    }

    @Test("text in the page is escaped")
    func escaping() {
        #expect(DashboardPage.escape(#"<b>"x" & 'y'</b>"#) == "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;")
    }
}
