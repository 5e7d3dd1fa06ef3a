import Foundation
import GoogleCloud
import PipelineModel
import PixelPipeCore
import Testing
import TestSupport

/// The real `emulator` and `teardown` binaries, with the job's CSV, job document and item
/// documents written as ingest, populate and process would have written them.
private final class TeardownHarness: Sendable {
    static let project = "teardown-test"
    static let secret = "s3cret-for-tests"
    static let uploads = "pixelpipe-uploads"
    static let processed = "pixelpipe-processed"

    let emulator: ChildProcess
    let teardown: ChildProcess
    let teardownURL: String
    let configuration: PipelineConfiguration
    let clients: PipelineClients
    let http = HTTPClient()
    let dataDirectory: URL

    init() async throws {
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("teardown-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        emulator = try ChildProcess("emulator", arguments: ["up", "--port", "0", "--data-dir", dataDirectory.path, "--pipeline", "none", "--log-format", "json"])
        let emulatorURL = try await emulator.logField("pixelpipe.url", ofMessage: "emulator listening")
        let hostPort = String(emulatorURL.dropFirst("http://".count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        configuration = PipelineConfiguration(project: Self.project, links: .storageAPI(base: "http://\(hostPort)"))
        clients = PipelineClients(api: GoogleAPIClient(endpoints: .emulator("http://\(hostPort)")), configuration: configuration)
        try await clients.storage.createBucket(Self.uploads, project: Self.project)
        try await clients.storage.createBucket(Self.processed, project: Self.project)
        _ = try await clients.tasks.createQueue(configuration.controlQueue)
        teardown = try ChildProcess("teardown", environment: [
            "PORT": "0", "HOST": "127.0.0.1", "LOG_FORMAT": "json",
            "GOOGLE_CLOUD_PROJECT": Self.project,
            "STORAGE_EMULATOR_HOST": "http://\(hostPort)",
            "PUBSUB_EMULATOR_HOST": hostPort,
            "CLOUD_TASKS_EMULATOR_HOST": hostPort,
            "FIRESTORE_EMULATOR_HOST": hostPort,
            "WEBHOOK_SECRET": Self.secret,
            "WEBHOOK_ALLOW_NETWORKS": "127.0.0.0/8",
            // Where a moved-on watchdog is sent (never dispatched within a test).
            "PIXELPIPE_TEARDOWN_URL": "http://127.0.0.1:9/",
        ])
        let port = try await teardown.logField("pixelpipe.port", ofMessage: "serving")
        teardownURL = "http://127.0.0.1:\(port)"
    }

    deinit {
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    var jobs: JobStore { JobStore(firestore: clients.firestore) }

    /// Counter shards of a running test job: three, so counts are always summed over several.
    static let counterShards = 3

    /// Uploads `csv`, creates the job's queue and writes its job document and counter shards,
    /// with `counts` already recorded (spread over the shards as the items' ordinals would);
    /// returns the job.
    func createJob(csv: String, status: JobRecord.Status = .running, total: Int, rows: Int, webhookURL: String?,
                   deadline: Date = Date().addingTimeInterval(3600), counts: (succeeded: Int, failed: Int) = (0, 0),
                   error: String? = nil, errorReport: String? = nil) async throws -> JobRecord {
        let name = "products-\(UUID().uuidString.prefix(8)).csv"
        let object = try await clients.storage.upload(Data(csv.utf8), bucket: Self.uploads, name: name, options: .init(contentType: "text/csv"))
        let generation = try #require(object.generationNumber)
        let id = PipelineNames.jobID(bucket: Self.uploads, object: name, generation: generation)
        var job = JobRecord(
            id: id, status: status, source: .init(bucket: Self.uploads, name: name, generation: String(generation)),
            total: total, rows: rows, invalidRows: 0, shards: 1, counterShards: status == .running ? Self.counterShards : 0,
            recipe: nil, webhookURL: webhookURL, createdAt: Date(), deadline: deadline, error: error, errorReport: errorReport
        )
        job.published = true
        #expect(try await jobs.create(job))
        if let shards = job.counterShards, shards > 0 {
            var counters = CounterShard.plan(total: total, shards: shards)
            for ordinal in 0..<(counts.succeeded + counts.failed) {
                let k = CounterShard.shard(ofImage: ordinal, shards: shards)
                counters[k].remaining -= 1
                if ordinal < counts.succeeded { counters[k].succeeded += 1 } else { counters[k].failed += 1 }
            }
            for (k, counter) in counters.enumerated() { try await jobs.put(counter, job: id, shard: k) }
        }
        if status == .running {
            _ = try await clients.tasks.createQueue(PipelineNames.imageQueue(job: id), rateLimits: configuration.imageQueue.rateLimits, retryConfig: configuration.imageQueue.retryConfig)
        }
        return job
    }

    /// Writes an item document as process (or populate, for failed items) would.
    func record(_ item: ItemRecord, job: JobID) async throws {
        try await jobs.put(item, job: job)
    }

    /// The job document alone and its update time.
    func job(_ id: JobID) async throws -> (record: JobRecord, updateTime: String?) {
        try #require(try await jobs.record(id))
    }

    /// Sets when shard 0 of the job last counted an item (the watchdog reads the latest over the shards).
    func lastItem(at date: Date, job: JobID) async throws {
        var counter = try #require(try await jobs.counters(job).first)
        counter.lastItemAt = Timestamp.format(date)
        try await jobs.put(counter, job: job, shard: 0)
    }

    /// Writes the finalizer lease as another invocation would hold it.
    func holdLease(_ job: JobID, holder: String, until date: Date) async throws {
        try await clients.firestore.patch(PipelineNames.finalizerLease(job: job), fields: FirestoreCoding.fields(from: FinalizerLeaseRecord(holder: holder, expiresAt: Timestamp.format(date))))
    }

    /// Delivers a control-queue task the way Cloud Tasks does.
    func task(_ reason: TeardownTask.Reason, job: JobID, retry: Int = 0, watchdog: Int? = nil) async throws -> HTTPClient.Response {
        let name = reason == .complete ? PipelineNames.teardownTask(job: job) : PipelineNames.watchdogTask(job: job, extension: watchdog ?? 0)
        return try await http.execute(.init(method: "POST", url: teardownURL + "/", headers: [
            ("Content-Type", "application/json"),
            ("X-CloudTasks-QueueName", "control"), ("X-CloudTasks-TaskName", name),
            ("X-CloudTasks-TaskRetryCount", String(retry)), ("X-CloudTasks-TaskExecutionCount", String(retry)),
            ("X-CloudTasks-TaskETA", String(Int(Date().timeIntervalSince1970))),
        ], body: try JSONEncoder().encode(TeardownTask(job: job, reason: reason, watchdog: watchdog))))
    }

    /// `POST /jobs/ID/finalize`.
    func finalize(_ job: JobID, query: String = "") async throws -> HTTPClient.Response {
        try await http.execute(.init(method: "POST", url: teardownURL + "/jobs/\(job)/finalize" + query))
    }

    /// The output CSV's records (CRLF lines, which the test data keeps free of embedded newlines).
    func outputCSV(_ job: JobID) async throws -> [String] {
        let data = try await clients.storage.download(bucket: Self.processed, name: PipelineNames.outputCSV(job: job))
        return String(decoding: data, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
    }

    func queueExists(_ job: JobID) async throws -> Bool {
        do {
            _ = try await clients.tasks.queue(PipelineNames.imageQueue(job: job))
            return true
        } catch let error as GoogleAPIError where error.isNotFound {
            return false
        }
    }

    func output(job: JobID, row: Int, index: Int, product: String) -> ItemRecord.Output {
        let object = PipelineNames.outputObject(job: job, product: product, row: row, index: index, size: "thumb", format: "webp")
        return .init(size: "thumb", format: "webp", width: 100, height: 100, object: object,
                     url: configuration.links.url(bucket: Self.processed, name: object), contentType: "image/webp", bytes: 1234)
    }

    static func analysis(hash: UInt64) -> ImageAnalysis {
        ImageAnalysis(width: 640, height: 480, format: .jpeg, hasAlpha: false, dominantColor: "#336699", perceptualHash: PerceptualHash(hash))
    }
}

/// A webhook receiver answering each call with the status `statuses` gives for its number (1-based).
private func withWebhook<T: Sendable>(statuses: @escaping @Sendable (Int) -> Int = { _ in 200 }, delay: Duration = .zero,
                                      _ body: @Sendable (RecordingServer, String) async throws -> T) async throws -> T {
    let server = RecordingServer()
    return try await server.run(respond: { _, number in (statuses(number), "{}", [:]) }, delay: { _ in delay }) { port in
        try await body(server, "http://127.0.0.1:\(port)/hooks/pixelpipe")
    }
}

private func header(_ request: RecordedRequest, _ name: String) -> String? {
    request.headers.first { $0.key.lowercased() == name.lowercased() }?.value
}

/// The real `teardown` binary: a whole finalization, the webhook retry and two tasks racing for
/// the lease. The decisions (timed out, watchdog patience, rejected jobs, a deleted source) are
/// shown in process, in TeardownStageTests.
@Suite("Teardown stage (emulator + teardown binaries)")
struct TeardownBinaryTests {
    static let csv = "S. No.,Product Name,Input Image Urls\r\n"
        + "1,\"Shoe, blue\",\"https://img.example/a.jpg,https://img.example/b.jpg\"\r\n"
        + "2,Hat,https://img.example/c.jpg\r\n"
        + "3,Scarf,https://img.example/d.jpg\r\n"

    @Test("a complete job: output CSV in input order, finished_with_errors, queue deleted, one signed webhook; repeats change nothing")
    func completeJob() async throws {
        let harness = try await TeardownHarness()
        try await withWebhook { receiver, webhookURL in
            let job = try await harness.createJob(csv: Self.csv, total: 4, rows: 3, webhookURL: webhookURL, counts: (3, 1))
            let now = Timestamp.format(Date())
            let a = harness.output(job: job.id, row: 1, index: 1, product: "Shoe, blue")
            let b = harness.output(job: job.id, row: 1, index: 2, product: "Shoe, blue")
            let d = harness.output(job: job.id, row: 3, index: 1, product: "Scarf")
            try await harness.record(.init(row: 1, index: 1, url: "https://img.example/a.jpg", product: "Shoe, blue", status: .succeeded,
                                           outputs: [a], analysis: TeardownHarness.analysis(hash: 0xF0F0_F0F0_0000_FFFF), recordedAt: now), job: job.id)
            try await harness.record(.init(row: 1, index: 2, url: "https://img.example/b.jpg", product: "Shoe, blue", status: .succeeded,
                                           outputs: [b], analysis: TeardownHarness.analysis(hash: 0xF0F0_F0F0_0000_FFFE), recordedAt: now), job: job.id)
            try await harness.record(.init(row: 2, index: 1, url: "https://img.example/c.jpg", product: "Hat", status: .failed,
                                           error: "row 2, image 1: https://img.example/c.jpg answered 404", recordedAt: now), job: job.id)
            try await harness.record(.init(row: 3, index: 1, url: "https://img.example/d.jpg", product: "Scarf", status: .succeeded,
                                           outputs: [d], analysis: TeardownHarness.analysis(hash: 0x0F0F_0F0F_FFFF_0000), recordedAt: now), job: job.id)

            let response = try await harness.task(.complete, job: job.id)
            #expect(response.status == 204, "\(String(decoding: response.body, as: UTF8.self))")

            #expect(try await harness.outputCSV(job.id) == [
                "S. No.,Product Name,Input Image Urls,Output Image Urls,Status,Error",
                "1,\"Shoe, blue\",\"https://img.example/a.jpg,https://img.example/b.jpg\",\"\(a.url), \(b.url)\",succeeded,",
                "2,Hat,https://img.example/c.jpg,,failed,\"row 2, image 1: https://img.example/c.jpg answered 404\"",
                "3,Scarf,https://img.example/d.jpg,\(d.url),succeeded,",
            ])
            let (finalized, updateTime) = try await harness.job(job.id)
            #expect(finalized.status == .finishedWithErrors)
            #expect(finalized.outputCSV == PipelineNames.outputCSV(job: job.id))
            #expect(finalized.finalizedAt != nil && finalized.webhookDeliveredAt != nil)
            #expect(try await harness.queueExists(job.id) == false)

            let calls = receiver.requests
            try #require(calls.count == 1)
            let call = calls[0]
            #expect(call.method == "POST")
            #expect(WebhookSignature.isValid(try #require(header(call, WebhookSignature.header)), body: call.body, secret: TeardownHarness.secret))
            #expect(header(call, "Idempotency-Key") == job.id.rawValue)
            #expect(header(call, "X-PixelPipe-Job") == job.id.rawValue)
            #expect(header(call, "Content-Type") == "application/json")
            let summary = try #require(call.json)
            #expect(summary["status"] as? String == "finished_with_errors")
            #expect(summary["succeeded"] as? Int == 3 && summary["failed"] as? Int == 1 && summary["missing"] as? Int == 0)
            #expect(summary["outputCSV"] as? String == harness.configuration.links.url(bucket: TeardownHarness.processed, name: PipelineNames.outputCSV(job: job.id)))
            let duplicates = try #require(summary["nearDuplicates"] as? [[String: Any]])
            #expect(duplicates.count == 1)
            #expect(duplicates.first?["item"] as? String == "1-2" && duplicates.first?["duplicateOf"] as? String == "1-1" && duplicates.first?["distance"] as? Int == 1)
            #expect(!String(decoding: call.body, as: UTF8.self).contains(TeardownHarness.secret))

            // The same task again, the watchdog at the deadline, and a direct call: nothing changes.
            #expect(try await harness.task(.complete, job: job.id, retry: 1).status == 204)
            #expect(try await harness.task(.deadline, job: job.id).status == 204)
            let direct = try await harness.finalize(job.id)
            #expect(direct.status == 200)
            // The direct call answers the same summary, read back from the job document.
            #expect(direct.body == call.body)
            #expect(receiver.requests.count == 1)
            #expect(try await harness.job(job.id).updateTime == updateTime)
            #expect(!harness.teardown.lines.contains { $0.contains(TeardownHarness.secret) })
        }
    }

    @Test("a webhook answering 500 makes teardown answer 503; the next call delivers it once, with the same signed body")
    func webhookRetried() async throws {
        let harness = try await TeardownHarness()
        try await withWebhook(statuses: { $0 == 1 ? 500 : 200 }) { receiver, webhookURL in
            let job = try await harness.createJob(csv: "Product Name,Image URL\nLamp,https://img.example/lamp.png\n", total: 1, rows: 1, webhookURL: webhookURL, counts: (1, 0))
            let output = harness.output(job: job.id, row: 1, index: 1, product: "Lamp")
            try await harness.record(.init(row: 1, index: 1, url: "https://img.example/lamp.png", product: "Lamp", status: .succeeded,
                                           outputs: [output], recordedAt: Timestamp.format(Date())), job: job.id)

            let failed = try await harness.finalize(job.id)
            #expect(failed.status == 503)
            let afterFailure = try await harness.job(job.id).record
            #expect(afterFailure.status == .finished && afterFailure.finalizedAt != nil && afterFailure.webhookDeliveredAt == nil)

            let retried = try await harness.finalize(job.id)
            #expect(retried.status == 200)
            let summary = try #require(try JSONSerialization.jsonObject(with: retried.body) as? [String: Any])
            #expect(summary["status"] as? String == "finished")
            #expect(try await harness.job(job.id).record.webhookDeliveredAt != nil)
            #expect(try await harness.task(.complete, job: job.id).status == 204)

            let calls = receiver.requests
            #expect(calls.count == 2)
            #expect(calls.count == 2 && calls[0].body == calls[1].body)
            #expect(calls.allSatisfy { WebhookSignature.isValid(header($0, WebhookSignature.header) ?? "", body: $0.body, secret: TeardownHarness.secret) })
            #expect(try await harness.outputCSV(job.id) == [
                "Product Name,Image URL,Output Image Urls,Status,Error",
                "Lamp,https://img.example/lamp.png,\(output.url),succeeded,",
            ])
        }
    }

    @Test("teardown-JOB and watchdog-JOB at the same moment: one sends the webhook, the other is told to retry (503) and then changes nothing")
    func concurrentTasks() async throws {
        let harness = try await TeardownHarness()
        // A slow receiver keeps the first finalizer inside its lease while the second arrives.
        try await withWebhook(delay: .milliseconds(400)) { receiver, webhookURL in
            let job = try await harness.createJob(csv: "Product Name,Image URL\nLamp,https://img.example/lamp.png\n", total: 1, rows: 1, webhookURL: webhookURL, counts: (1, 0))
            try await harness.record(.init(row: 1, index: 1, url: "https://img.example/lamp.png", product: "Lamp", status: .succeeded,
                                           outputs: [harness.output(job: job.id, row: 1, index: 1, product: "Lamp")], recordedAt: Timestamp.format(Date())), job: job.id)

            async let complete = harness.task(.complete, job: job.id)
            async let watchdog = harness.task(.deadline, job: job.id)
            let responses = try await [complete, watchdog]
            #expect(responses.map(\.status).sorted() == [204, 503])
            #expect(responses.first { $0.status == 503 }?.header("Retry-After") != nil)

            // The queue retries the one that was turned away: it finds the job done.
            #expect(try await harness.task(.complete, job: job.id, retry: 1).status == 204)
            #expect(try await harness.task(.deadline, job: job.id, retry: 1).status == 204)
            #expect(receiver.requests.count == 1)
            #expect(try await harness.job(job.id).record.status == .finished)
        }
    }
    @Test("a job of 2,400 items over several pages: items are paged in row order alongside the CSV, the counts are those of the items read")
    func pagedItems() async throws {
        let harness = try await TeardownHarness()
        try await withWebhook { receiver, webhookURL in
            let rows = 1_200
            var csv = "S. No.,Product Name,Input Image Urls\r\n"
            for row in 1...rows { csv += "\(row),Item \(row),\"https://img.example/\(row)/a.jpg,https://img.example/\(row)/b.jpg\"\r\n" }
            let failed = Set(stride(from: 7, through: rows, by: 97))
            let job = try await harness.createJob(csv: csv, total: 2 * rows, rows: rows, webhookURL: webhookURL, counts: (2 * rows - failed.count, failed.count))
            let now = Timestamp.format(Date())
            // Recorded out of order and concurrently, as process does; row 500's two images look alike.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for row in stride(from: rows - worker, through: 1, by: -8) {
                            for index in 1...2 {
                                let url = "https://img.example/\(row)/\(index == 1 ? "a" : "b").jpg"
                                let item: ItemRecord = index == 2 && failed.contains(row)
                                    ? .init(row: row, index: 2, url: url, product: "Item \(row)", status: .failed, error: "row \(row), image 2: \(url) answered 404", recordedAt: now)
                                    : .init(row: row, index: index, url: url, product: "Item \(row)", status: .succeeded,
                                            outputs: [harness.output(job: job.id, row: row, index: index, product: "Item \(row)")],
                                            analysis: TeardownHarness.analysis(hash: row == 500 ? 0xABCD_0000_FFFF_1234 + UInt64(index) : UInt64(row * 2 + index) &* 0x9E37_79B9_7F4A_7C15),
                                            recordedAt: now)
                                try await harness.record(item, job: job.id)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let response = try await harness.finalize(job.id)
            #expect(response.status == 200, "\(String(decoding: response.body.prefix(500), as: UTF8.self))")
            let lines = try await harness.outputCSV(job.id)
            #expect(lines.count == rows + 1)
            for row in 1...rows {
                let line = lines[row]
                #expect(line.hasPrefix("\(row),Item \(row),"), "line \(row): \(line)")
                #expect(line.contains(failed.contains(row) ? ",partial,\"row \(row), image 2:" : ",succeeded,"), "line \(row): \(line)")
            }
            let summary = try #require(receiver.requests.first?.json)
            #expect(summary["status"] as? String == "finished_with_errors")
            #expect(summary["succeeded"] as? Int == 2 * rows - failed.count && summary["failed"] as? Int == failed.count && summary["remaining"] as? Int == 0)
            let duplicates = try #require(summary["nearDuplicates"] as? [[String: Any]])
            #expect(duplicates.contains { $0["item"] as? String == "500-2" && $0["duplicateOf"] as? String == "500-1" })
            #expect(try await harness.job(job.id).record.finalCounts == .init(succeeded: 2 * rows - failed.count, failed: failed.count, missing: 0))
        }
    }

}
