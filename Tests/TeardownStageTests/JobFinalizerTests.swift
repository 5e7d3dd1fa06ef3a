import Foundation
import FunctionsFramework
import GoogleCloud
import HTTPTypes
import PipelineModel
import StageTestSupport
import Testing
import TestSupport

@testable import TeardownStage

/// The finalizer constructed directly, against the emulator in process, with a loopback
/// webhook receiver.
@Suite("Teardown stage: finalizer (in process)")
struct JobFinalizerTests {
    static let secret = "s3cret-for-tests"
    static let csv = "S. No.,Product Name,Input Image Urls\r\n"
        + "1,\"Shoe, blue\",\"https://img.example/a.jpg,https://img.example/b.jpg\"\r\n"
        + "2,Hat,https://img.example/c.jpg\r\n"
        + "3,Scarf,https://img.example/d.jpg\r\n"

    /// The harness, a finalizer over it and a webhook receiver answering call N with `statuses(N)`.
    static func run(statuses: @escaping @Sendable (Int) -> Int = { _ in 200 }, _ body: @Sendable (StageHarness, JobFinalizer, RecordingServer, String) async throws -> Void) async throws {
        let receiver = RecordingServer()
        try await receiver.run(respond: { _, number in (statuses(number), "{}", [:]) }) { port in
            try await StageHarness.run { harness in
                let finalizer = JobFinalizer(clients: harness.clients, configuration: TeardownConfiguration(pipeline: harness.configuration, webhookSecret: secret))
                try await body(harness, finalizer, receiver, "http://127.0.0.1:\(port)/hooks/pixelpipe")
            }
        }
    }

    /// Uploads `csv` and writes its running job (`total` items, `counts` recorded); returns the job.
    static func createJob(_ harness: StageHarness, csv: String = csv, total: Int = 4, rows: Int = 3, webhookURL: String?, counts: (succeeded: Int, failed: Int),
                          status: JobRecord.Status = .running, error: String? = nil, errorReport: String? = nil) async throws -> JobRecord {
        let object = try await harness.uploadCSV(csv)
        var job = harness.runningJob(harness.jobID(of: object), total: total, rows: rows, recipe: nil, webhookURL: webhookURL,
                                     source: .init(bucket: object.bucket, name: object.name, generation: try #require(object.generation)))
        job.status = status
        job.error = error
        job.errorReport = errorReport
        try await harness.writeJob(job, counts: JobCounts(succeeded: counts.succeeded, failed: counts.failed, remaining: total - counts.succeeded - counts.failed))
        return job
    }

    static func output(_ harness: StageHarness, job: JobID, row: Int, index: Int, product: String) -> ItemRecord.Output {
        let object = PipelineNames.outputObject(job: job, product: product, row: row, index: index, size: "thumb", format: "webp")
        return .init(size: "thumb", format: "webp", width: 100, height: 100, object: object,
                     url: harness.configuration.links.url(bucket: harness.configuration.processedBucket, name: object), contentType: "image/webp", bytes: 1234)
    }

    /// Runs the control-queue handler on `task` as Cloud Tasks would deliver it.
    static func deliver(_ task: TeardownTask, to finalizer: JobFinalizer, harness: StageHarness) async throws {
        let name = task.reason == .complete ? PipelineNames.teardownTask(job: task.job) : PipelineNames.watchdogTask(job: task.job, extension: task.watchdog ?? 0)
        let headers = CloudTaskHeaders(queueName: harness.configuration.controlQueue, taskName: name)
        try await TeardownFunction(finalizer: finalizer).handle(CloudTaskRequest(task: headers, payload: task), context: harness.context(.cloudTask, id: name, cloudTask: headers))
    }

    /// `POST /jobs/{id}/finalize[?query]` through its route.
    static func finalizeRoute(_ job: String, query: String? = nil, finalizer: JobFinalizer, harness: StageHarness) async throws -> InvocationResponse {
        let request = InvocationRequest(method: .post, path: "/jobs/\(job)/finalize", query: query, pathParameters: ["id": job])
        return try await FinalizeRoute(finalizer: finalizer).handle(request, context: harness.context(.http))
    }

    @Test("POST /jobs/{id}/finalize: a malformed id or reason is refused; without reason=deadline an incomplete job is not finalized before its deadline", arguments: [
        ("NOT-A-JOB", nil as String?, "malformed"), ("JOB", "reason=later", "malformed"), ("JOB", nil, "notComplete"), ("JOB", "reason=complete", "notComplete"),
    ])
    func finalizeRouteRefuses(id: String, query: String?, refusal: String) async throws {
        try await Self.run { harness, finalizer, receiver, webhookURL in
            let job = try await Self.createJob(harness, webhookURL: webhookURL, counts: (1, 0))
            let target = id == "JOB" ? job.id.rawValue : id
            do {
                _ = try await Self.finalizeRoute(target, query: query, finalizer: finalizer, harness: harness)
                Issue.record("the route finalized \(target) with \(query ?? "no query")")
            } catch let error as InvocationError {
                #expect(refusal == "malformed" && error.disposition == .malformed, "\(error)")
            } catch let error as TeardownError {
                #expect(refusal == "notComplete" && error.description.contains("is not complete"), "\(error)")
            }
            #expect(try await harness.job(job.id)?.status == .running)
            #expect(receiver.requests.isEmpty)
        }
    }

    @Test("finalizing once: status, output CSV, queue deleted and one signed webhook; the task again, the watchdog and a direct call change nothing")
    func finalizeOnce() async throws {
        try await Self.run { harness, finalizer, receiver, webhookURL in
            let job = try await Self.createJob(harness, webhookURL: webhookURL, counts: (4, 0))
            var outputs: [String] = []
            for (row, index, product) in [(1, 1, "Shoe, blue"), (1, 2, "Shoe, blue"), (2, 1, "Hat"), (3, 1, "Scarf")] {
                let output = Self.output(harness, job: job.id, row: row, index: index, product: product)
                outputs.append(output.url)
                try await harness.writeItem(.init(row: row, index: index, url: "https://img.example/x.jpg", product: product, status: .succeeded,
                                                  outputs: [output], recordedAt: Timestamp.format(Date())), job: job.id)
            }
            let summary = try await finalizer.finalize(job: job.id, trigger: .task(.complete), holder: "teardown-\(job.id)", logger: harness.logger)
            #expect(summary.status == .finished && summary.succeeded == 4 && summary.failed == 0 && summary.missing == 0)
            #expect(try await harness.outputCSV(job.id)?.last == "3,Scarf,https://img.example/d.jpg,\(outputs[3]),succeeded,")
            #expect(try await harness.queueExists(job.id) == false)
            #expect(try await harness.finalizerLeaseExists(job.id) == false)
            let record = try #require(try await harness.job(job.id))
            #expect(record.status == .finished && record.finalizedAt != nil && record.webhookDeliveredAt != nil)
            let updateTime = try await harness.jobUpdateTime(job.id)
            try #require(receiver.requests.count == 1)
            let call = receiver.requests[0]
            #expect(WebhookSignature.isValid(call.headers.first { $0.key.lowercased() == WebhookSignature.header.lowercased() }?.value ?? "", body: call.body, secret: Self.secret))
            #expect(call.body == (try summary.encoded()))

            for trigger in [FinalStatus.Trigger.task(.complete), .task(.deadline), .direct(deadline: false)] {
                let again = try await finalizer.finalize(job: job.id, trigger: trigger, holder: "other", logger: harness.logger)
                #expect(again == summary)
            }
            #expect(receiver.requests.count == 1)
            #expect(try await harness.jobUpdateTime(job.id) == updateTime)
        }
    }

    @Test("a webhook answering 500 leaves the job finalized but undelivered (transient); the retry sends the same signed body once")
    func webhookRetried() async throws {
        try await Self.run(statuses: { $0 == 1 ? 500 : 200 }) { harness, finalizer, receiver, webhookURL in
            let job = try await Self.createJob(harness, csv: "Product Name,Image URL\nLamp,https://img.example/lamp.png\n", total: 1, rows: 1, webhookURL: webhookURL, counts: (1, 0))
            try await harness.writeItem(.init(row: 1, index: 1, url: "https://img.example/lamp.png", product: "Lamp", status: .succeeded,
                                              outputs: [Self.output(harness, job: job.id, row: 1, index: 1, product: "Lamp")], recordedAt: Timestamp.format(Date())), job: job.id)
            let error = await #expect(throws: TeardownError.self) {
                try await finalizer.finalize(job: job.id, trigger: .task(.complete), holder: "t", logger: harness.logger)
            }
            #expect(error?.isTransient == true)
            let afterFailure = try #require(try await harness.job(job.id))
            #expect(afterFailure.status == .finished && afterFailure.finalizedAt != nil && afterFailure.webhookDeliveredAt == nil)

            _ = try await finalizer.finalize(job: job.id, trigger: .task(.complete), holder: "t", logger: harness.logger)
            #expect(try await harness.job(job.id)?.webhookDeliveredAt != nil)
            let calls = receiver.requests
            #expect(calls.count == 2 && calls[0].body == calls[1].body)
        }
    }

    @Test("an incomplete job: a direct call before the deadline is refused; a held lease turns the watchdog away (transient); an expired one is taken over and the job times out with its missing items")
    func timedOut() async throws {
        try await Self.run { harness, finalizer, receiver, webhookURL in
            let job = try await Self.createJob(harness, webhookURL: webhookURL, counts: (1, 0))
            let a = Self.output(harness, job: job.id, row: 1, index: 1, product: "Shoe, blue")
            try await harness.writeItem(.init(row: 1, index: 1, url: "https://img.example/a.jpg", product: "Shoe, blue", status: .succeeded,
                                              outputs: [a], recordedAt: Timestamp.format(Date())), job: job.id)

            let early = await #expect(throws: TeardownError.self) {
                try await finalizer.finalize(job: job.id, trigger: .direct(deadline: false), holder: "direct", logger: harness.logger)
            }
            #expect(early?.isTransient == false)
            #expect(early?.description == "job \(job.id) is not complete: 3 items remaining")

            // Another invocation holds the finalizer lease: the watchdog is told to retry.
            try await harness.holdFinalizerLease(job.id, holder: "other", expiresAt: Date().addingTimeInterval(60))
            let held = await #expect(throws: InvocationError.self) {
                try await finalizer.finalize(job: job.id, trigger: .direct(deadline: true), holder: "watchdog", logger: harness.logger)
            }
            #expect(held?.disposition == .transient && held?.retryAfter != nil)
            #expect(receiver.requests.isEmpty)
            #expect(try await harness.job(job.id)?.status == .running)

            // The holder crashed: once its lease has expired, the next attempt takes it over.
            try await harness.holdFinalizerLease(job.id, holder: "other", expiresAt: Date().addingTimeInterval(-1))
            let summary = try await finalizer.finalize(job: job.id, trigger: .direct(deadline: true), holder: "watchdog", logger: harness.logger)
            #expect(summary.status == .timedOut && summary.missing == 3)
            #expect(try await harness.job(job.id)?.missing == 3)
            #expect(try await harness.outputCSV(job.id) == [
                "S. No.,Product Name,Input Image Urls,Output Image Urls,Status,Error",
                "1,\"Shoe, blue\",\"https://img.example/a.jpg,https://img.example/b.jpg\",\(a.url),partial,image 2: not processed before the job's deadline",
                "2,Hat,https://img.example/c.jpg,,missing,image 1: not processed before the job's deadline",
                "3,Scarf,https://img.example/d.jpg,,missing,image 1: not processed before the job's deadline",
            ])
            #expect(try await harness.finalizerLeaseExists(job.id) == false)
            #expect(receiver.requests.count == 1)
            #expect(receiver.requests.first?.json?["status"] as? String == "timed_out")
        }
    }

    @Test("at its deadline a job still recording items, or with tasks still queued, gets more time (watchdog-JOB-N, deadline moved on); a stalled one is timed out")
    func watchdogWaitsForProgress() async throws {
        try await Self.run { harness, finalizer, receiver, webhookURL in
            let job = try await Self.createJob(harness, webhookURL: webhookURL, counts: (1, 0))
            try await harness.setLastItemAt(job.id, Date().addingTimeInterval(-10))
            let control = harness.configuration.controlQueue

            try await Self.deliver(TeardownTask(job: job.id, reason: .deadline), to: finalizer, harness: harness)
            let moved = try #require(try await harness.job(job.id))
            #expect(moved.status == .running && moved.deadlineExtensions == 1)
            // The default patience: the image queue's 30-minute retry window, two backoffs and 10 minutes.
            let deadline = try #require(Timestamp.parse(moved.deadline))
            #expect(deadline.timeIntervalSinceNow > 41 * 60 && deadline.timeIntervalSinceNow < 43 * 60, "deadline \(moved.deadline)")
            let next = try await harness.clients.tasks.task(PipelineNames.watchdogTask(job: job.id, extension: 1), queue: control)
            #expect(next.scheduleTime.flatMap(Timestamp.parse).map { abs($0.timeIntervalSince(deadline)) < 1 } == true)
            #expect(try await harness.taskBody(PipelineNames.watchdogTask(job: job.id, extension: 1), queue: control, as: TeardownTask.self)
                == TeardownTask(job: job.id, reason: .deadline, watchdog: 1))

            // Nothing recorded for two hours, but a task still waits in the job's queue: still progressing.
            try await harness.setLastItemAt(job.id, Date().addingTimeInterval(-7200))
            let queue = PipelineNames.imageQueue(job: job.id)
            try await harness.clients.tasks.createTask(CloudTask(
                name: harness.clients.tasks.taskName("\(job.id)-3-1", queue: queue), httpRequest: .init(url: "http://127.0.0.1:9/"),
                scheduleTime: Timestamp.format(Date().addingTimeInterval(3600))
            ), queue: queue)
            try await Self.deliver(TeardownTask(job: job.id, reason: .deadline, watchdog: 1), to: finalizer, harness: harness)
            #expect(try await harness.job(job.id)?.deadlineExtensions == 2)
            #expect(try await harness.taskNames(queue: control).contains(PipelineNames.watchdogTask(job: job.id, extension: 2)))
            #expect(receiver.requests.isEmpty)

            // Stalled: no item for two hours and nothing left in the queue. The job is timed out.
            try await harness.clients.tasks.deleteTask("\(job.id)-3-1", queue: queue)
            try await Self.deliver(TeardownTask(job: job.id, reason: .deadline, watchdog: 2), to: finalizer, harness: harness)
            #expect(try await harness.job(job.id)?.status == .timedOut)
            #expect(receiver.requests.count == 1)
        }
    }

    @Test("a rejected job: the webhook says rejected with the error and no output CSV is written; an unknown job is a permanent error")
    func rejected() async throws {
        try await Self.run { harness, finalizer, receiver, webhookURL in
            let job = try await Self.createJob(harness, csv: "just some text\n", total: 0, rows: 0, webhookURL: webhookURL, counts: (0, 0),
                                               status: .rejected, error: "noURLColumn: no column of image URLs", errorReport: "reports/x/error.txt")
            let function = TeardownFunction(finalizer: finalizer)
            for retry in 0..<2 {
                let headers = CloudTaskHeaders(queueName: "control", taskName: PipelineNames.teardownTask(job: job.id), retryCount: retry)
                try await function.handle(CloudTaskRequest(task: headers, payload: TeardownTask(job: job.id, reason: .complete)), context: harness.context(.cloudTask, cloudTask: headers))
            }
            let finalized = try #require(try await harness.job(job.id))
            #expect(finalized.status == .rejected && finalized.finalizedAt != nil && finalized.outputCSV == nil)
            #expect(try await harness.outputCSV(job.id) == nil)
            #expect(receiver.requests.count == 1)
            let summary = try #require(receiver.requests.first?.json)
            #expect(summary["status"] as? String == "rejected")
            #expect(summary["error"] as? String == "noURLColumn: no column of image URLs")
            #expect(summary["outputCSV"] == nil)
            #expect(summary["errorReport"] as? String == harness.configuration.links.url(bucket: harness.configuration.processedBucket, name: "reports/x/error.txt"))

            let unknown = await #expect(throws: TeardownError.self) {
                try await finalizer.finalize(job: "0000000000000000", trigger: .task(.complete), holder: "t", logger: harness.logger)
            }
            #expect(unknown?.isTransient == false)
            #expect(unknown?.description.contains("job 0000000000000000 does not exist") == true)
            // A malformed job id does not even decode (the server answers 400, naming it).
            let invalid = #expect(throws: DecodingError.self) {
                try JSONDecoder().decode(TeardownTask.self, from: Data(#"{"job":"../x","reason":"complete"}"#.utf8))
            }
            #expect(String(describing: invalid).contains("../x"))
        }
    }

    @Test("a job whose CSV was deleted before teardown is still finalized; its output CSV is rebuilt from the items")
    func sourceDeleted() async throws {
        try await Self.run { harness, finalizer, receiver, webhookURL in
            let job = try await Self.createJob(harness, webhookURL: webhookURL, counts: (1, 0))
            let a = Self.output(harness, job: job.id, row: 1, index: 1, product: "Shoe, blue")
            try await harness.writeItem(.init(row: 1, index: 1, url: "https://img.example/a.jpg", product: "Shoe, blue", status: .succeeded,
                                              outputs: [a], recordedAt: Timestamp.format(Date())), job: job.id)
            try await harness.clients.storage.delete(bucket: job.source.bucket, name: job.source.name)

            let response = try await Self.finalizeRoute(job.id.rawValue, query: "reason=deadline", finalizer: finalizer, harness: harness)
            let summary = try JSONDecoder().decode(JobView.self, from: response.body)
            #expect(response.status == .ok)
            #expect(summary.status == .timedOut && summary.missing == 3)
            #expect(try await harness.outputCSV(job.id) == [
                "S. No.,Product Name,Input Image Urls,Output Image Urls,Status,Error",
                "1,\"Shoe, blue\",https://img.example/a.jpg,\(a.url),succeeded,",
            ])
            #expect(receiver.requests.first?.json?["missing"] as? Int == 3)
        }
    }
}
