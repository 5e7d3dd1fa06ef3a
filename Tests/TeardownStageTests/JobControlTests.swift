import Foundation
import FunctionsFramework
import GoogleCloud
import Logging
import StageTestSupport
import Synchronization
import Testing
import TestSupport

@testable import PipelineModel
@testable import TeardownStage

/// Cancel and retry (`JobControl`) against the in-process emulator, with the finalizer and a
/// loopback webhook receiver: what the jobs API's `:cancel` and `:retry` do to a job, end to end.
@Suite("Teardown stage: cancel and retry (in process)")
struct JobControlTests {
    /// Rows 1 (two images), 2 and 3: four items.
    static let csv = JobFinalizerTests.csv
    static let urls = ["1-1": "https://img.example/a.jpg", "1-2": "https://img.example/b.jpg", "2-1": "https://img.example/c.jpg", "3-1": "https://img.example/d.jpg"]
    static let products = [1: "Shoe, blue", 2: "Hat", 3: "Scarf"]

    /// A running job over `csv` with two counter shards (two items expected on each), nothing recorded.
    static func makeJob(_ harness: StageHarness, webhookURL: String?) async throws -> JobRecord {
        let object = try await harness.uploadCSV(csv)
        var job = harness.runningJob(harness.jobID(of: object), total: 4, rows: 3, recipe: "{}", webhookURL: webhookURL,
                                     source: .init(bucket: object.bucket, name: object.name, generation: try #require(object.generation)))
        job.counterShards = 2
        try await harness.writeJob(job)
        return job
    }

    /// Item `row`-`index` as process records it: succeeded with one output and an analysis, or failed.
    static func item(_ harness: StageHarness, job: JobID, row: Int, index: Int, succeeded: Bool) -> ItemRecord {
        let product = products[row]!
        if succeeded {
            return ItemRecord(
                row: row, index: index, url: urls["\(row)-\(index)"], product: product, status: .succeeded,
                outputs: [JobFinalizerTests.output(harness, job: job, row: row, index: index, product: product)],
                analysis: ImageAnalysis(width: 400, height: 300, format: .jpeg, hasAlpha: false, dominantColor: "#d8d0c0", perceptualHash: PerceptualHash(0x0123_4567_89ab_cdef)),
                attempt: 1, recordedAt: Timestamp.format(Date())
            )
        }
        return ItemRecord(row: row, index: index, url: urls["\(row)-\(index)"], product: product, status: .failed,
                          error: "image \(index): the source answered 404", attempt: 1, recordedAt: Timestamp.format(Date()))
    }

    /// Records items through the ledger, each on the shard given, as process would.
    static func record(_ harness: StageHarness, job: JobID, _ items: [(ItemRecord, Int)]) async throws {
        let ledger = JobLedger(clients: harness.clients, configuration: harness.configuration)
        for (item, shard) in items { try await ledger.record(item, job: job, shard: shard, logger: harness.logger) }
    }

    /// Runs the control-queue task `name` (body read from the queue) through the teardown handler.
    static func deliverControlTask(_ name: String, finalizer: JobFinalizer, harness: StageHarness) async throws {
        let task: TeardownTask = try #require(try await harness.taskBody(name, queue: harness.configuration.controlQueue), "no task \(name)")
        let headers = CloudTaskHeaders(queueName: harness.configuration.controlQueue, taskName: name)
        try await TeardownFunction(finalizer: finalizer).handle(CloudTaskRequest(task: headers, payload: task), context: harness.context(.cloudTask, id: name, cloudTask: headers))
    }

    /// Runs every image task waiting on run `run`'s queue as process would, each recorded as succeeded on its counter shard.
    static func processImageTasks(_ harness: StageHarness, job: JobID, run: Int) async throws -> [String] {
        let queue = PipelineNames.imageQueue(job: job, run: run)
        let names = try await harness.taskNames(queue: queue)
        for name in names {
            let task: ImageTask = try #require(try await harness.taskBody(name, queue: queue))
            try await record(harness, job: job, [(item(harness, job: job, row: task.row, index: task.index, succeeded: true), task.counter ?? 0)])
        }
        return names
    }

    /// The job's `results.ndjson`, decoded line by line.
    static func results(_ harness: StageHarness, job: JobID) async throws -> [ResultLine] {
        let text = try #require(try await harness.processedText(PipelineNames.resultsNDJSON(job: job)))
        return try text.split(separator: "\n").map { try JSONDecoder().decode(ResultLine.self, from: Data($0.utf8)) }
    }

    static func view(_ finalizer: JobFinalizer, _ job: JobID, harness: StageHarness) async throws -> JobView {
        try await finalizer.finalize(job: job, trigger: .direct(deadline: false), holder: "reader", logger: harness.logger)
    }

    // MARK: Cancel

    @Test("cancel: marked once (a repeat returns the same), queue paused, cancel-JOB finalizes it cancelled; CSV, results and webhook report the unrecorded images as cancelled; a late image changes no count")
    func cancelFinalizesCancelled() async throws {
        try await JobFinalizerTests.run { harness, finalizer, receiver, webhookURL in
            let job = try await Self.makeJob(harness, webhookURL: webhookURL).id
            try await Self.record(harness, job: job, [
                (Self.item(harness, job: job, row: 1, index: 1, succeeded: true), 0), (Self.item(harness, job: job, row: 1, index: 2, succeeded: false), 1),
            ])
            let control = JobControl(clients: harness.clients, configuration: harness.configuration)
            let marked = try await control.cancel(job)
            #expect(marked.status == .running && marked.cancelRequestedAt != nil)
            #expect(try await control.cancel(job) == marked)
            #expect(try await harness.job(job) == marked)
            #expect(try await harness.clients.tasks.queue(PipelineNames.imageQueue(job: job)).state == "PAUSED")
            #expect(try await harness.taskBody(PipelineNames.cancelTask(job: job), queue: harness.configuration.controlQueue) == TeardownTask(job: job, reason: .cancel))

            try await Self.deliverControlTask(PipelineNames.cancelTask(job: job), finalizer: finalizer, harness: harness)
            let record = try #require(try await harness.job(job))
            #expect(record.status == .cancelled && record.finalizedAt != nil)
            #expect(record.finalCounts == .init(succeeded: 1, failed: 1, missing: 0, cancelled: 2))
            #expect(try await harness.queueExists(job) == false)
            let view = try await Self.view(finalizer, job, harness: harness)
            #expect(view.status == .cancelled && view.succeeded == 1 && view.failed == 1 && view.cancelled == 2 && view.missing == 0 && view.remaining == 2)
            #expect(view.resultsNDJSON == harness.configuration.links.url(bucket: harness.configuration.processedBucket, name: PipelineNames.resultsNDJSON(job: job)))

            let csv = try #require(try await harness.outputCSV(job))
            #expect(csv.count == 4)
            #expect(csv[1].hasSuffix(",partial,image 2: the source answered 404"))
            #expect(csv[2] == "2,Hat,https://img.example/c.jpg,,cancelled,image 1: cancelled before it was processed")
            #expect(csv[3] == "3,Scarf,https://img.example/d.jpg,,cancelled,image 1: cancelled before it was processed")
            let lines = try await Self.results(harness, job: job)
            #expect(lines.map(\.status) == [.succeeded, .failed, .cancelled, .cancelled])
            #expect(lines.map { "\($0.row)-\($0.index)" } == ["1-1", "1-2", "2-1", "3-1"])
            #expect(lines[2].url == "https://img.example/c.jpg" && lines[2].product == "Hat" && lines[2].recordedAt == nil)

            try #require(receiver.requests.count == 1)
            let sent = try JSONDecoder().decode(JobView.self, from: receiver.requests[0].body)
            #expect(sent.status == .cancelled && sent.cancelled == 2 && sent.succeeded == 1)

            // An image that was in flight records afterwards: counted on its shard, not in the frozen view.
            try await Self.record(harness, job: job, [(Self.item(harness, job: job, row: 2, index: 1, succeeded: true), 0)])
            #expect(try await Self.view(finalizer, job, harness: harness) == view)
            // Cancel of a cancelled job returns it as it is; the webhook is not sent again.
            #expect(try await control.cancel(job).status == .cancelled)
            #expect(receiver.requests.count == 1)
        }
    }

    @Test("cancel is refused for a job finalized otherwise (409) and for an unknown job (404)")
    func cancelRefused() async throws {
        try await JobFinalizerTests.run { harness, finalizer, _, _ in
            let job = try await Self.makeJob(harness, webhookURL: nil).id
            try await Self.record(harness, job: job, (1...4).map { n in
                let (row, index) = [(1, 1), (1, 2), (2, 1), (3, 1)][n - 1]
                return (Self.item(harness, job: job, row: row, index: index, succeeded: true), n % 2)
            })
            _ = try await finalizer.finalize(job: job, trigger: .task(.complete), holder: "teardown", logger: harness.logger)
            let control = JobControl(clients: harness.clients, configuration: harness.configuration)
            await #expect(throws: JobControlError.alreadyFinal(job: job, status: .finished)) { try await control.cancel(job) }
            #expect(JobControlError.alreadyFinal(job: job, status: .finished).isConflict)
            let unknown: JobID = "fedcba9876543210"
            await #expect(throws: JobControlError.unknownJob(unknown)) { try await control.cancel(unknown) }
            #expect(try await harness.job(job)?.cancelRequestedAt == nil)
        }
    }

    // MARK: Retry

    /// A job with (1,1) succeeded and the other three failed, finalized `finished_with_errors`.
    static func finishedWithErrors(_ harness: StageHarness, finalizer: JobFinalizer, webhookURL: String?) async throws -> JobID {
        let job = try await makeJob(harness, webhookURL: webhookURL).id
        try await record(harness, job: job, [
            (item(harness, job: job, row: 1, index: 1, succeeded: true), 0), (item(harness, job: job, row: 1, index: 2, succeeded: false), 1),
            (item(harness, job: job, row: 2, index: 1, succeeded: false), 0), (item(harness, job: job, row: 3, index: 1, succeeded: false), 1),
        ])
        try await deliverControlTask(PipelineNames.teardownTask(job: job), finalizer: finalizer, harness: harness)
        #expect(try await harness.job(job)?.status == .finishedWithErrors)
        return job
    }

    @Test("retry: failed items removed and uncounted together (counts match the items after every commit), run 1 enqueued under new names; when they finish the job is finalized again with a new CSV, results and webhook")
    func retryRunsFailedAgain() async throws {
        try await JobFinalizerTests.run { harness, finalizer, receiver, webhookURL in
            let job = try await Self.finishedWithErrors(harness, finalizer: finalizer, webhookURL: webhookURL)
            #expect(receiver.requests.count == 1)
            var control = JobControl(clients: harness.clients, configuration: harness.configuration)
            let checks = Mutex<[String]>([])
            control.afterUncount = {
                let state = try #require(try await harness.jobs.state(job))
                let items = try await harness.items(job)
                checks.withLock { $0.append("\(state.succeeded)/\(state.failed) of \(items.count) items") }
                #expect(state.succeeded == items.count(where: { $0.status == .succeeded }) && state.failed == items.count(where: { $0.status == .failed }))
            }
            let result = try await control.retry(job)
            // One commit a shard: shard 0 held (2,1), shard 1 held (1,2) and (3,1).
            #expect(checks.withLock { $0 } == ["1/2 of 3 items", "1/0 of 1 items"])
            #expect(result.enqueued == 3 && result.failed == 3 && result.unrecorded == 0)
            #expect(result.job.status == .running && result.job.run == 1)
            let record = try #require(try await harness.job(job))
            #expect(record == result.job)
            #expect(record.finalizedAt == nil && record.finalCounts == nil && record.outputCSV == nil && record.resultsNDJSON == nil && record.webhookDeliveredAt == nil)
            #expect(try await harness.counts(job) == JobCounts(succeeded: 1, failed: 0, remaining: 3))
            #expect(try await harness.items(job).map(\.id) == ["1-1"])
            #expect(try await harness.taskNames(queue: PipelineNames.imageQueue(job: job, run: 1)) == ["\(job)-1-2-r1", "\(job)-2-1-r1", "\(job)-3-1-r1"])
            #expect(try await harness.taskNames(queue: harness.configuration.controlQueue).contains(PipelineNames.watchdogTask(job: job, run: 1)))
            #expect(try await harness.finalizerLeaseExists(job) == false)

            // The first run's watchdog, still scheduled, fires: it belongs to run 0 and does nothing.
            let stale = CloudTaskHeaders(queueName: harness.configuration.controlQueue, taskName: PipelineNames.watchdogTask(job: job))
            try await TeardownFunction(finalizer: finalizer).handle(
                CloudTaskRequest(task: stale, payload: TeardownTask(job: job, reason: .deadline)), context: harness.context(.cloudTask, cloudTask: stale)
            )
            #expect(try await harness.job(job)?.status == .running)

            _ = try await Self.processImageTasks(harness, job: job, run: 1)
            #expect(try await harness.taskBody(PipelineNames.teardownTask(job: job, run: 1), queue: harness.configuration.controlQueue) == TeardownTask(job: job, reason: .complete, run: 1))
            try await Self.deliverControlTask(PipelineNames.teardownTask(job: job, run: 1), finalizer: finalizer, harness: harness)
            let view = try await Self.view(finalizer, job, harness: harness)
            #expect(view.status == .finished && view.succeeded == 4 && view.failed == 0 && view.run == 1)
            #expect(try await harness.outputCSV(job)?.dropFirst().allSatisfy { $0.contains(",succeeded,") } == true)
            #expect(try await Self.results(harness, job: job).map(\.status) == [.succeeded, .succeeded, .succeeded, .succeeded])
            #expect(try await harness.queueExists(job) == false)
            try #require(receiver.requests.count == 2)
            #expect(try JSONDecoder().decode(JobView.self, from: receiver.requests[1].body) == view)
        }
    }

    @Test("two retries at once: one runs the job again, the other is refused; the failed items are uncounted and enqueued once")
    func concurrentRetries() async throws {
        try await JobFinalizerTests.run { harness, finalizer, _, _ in
            let job = try await Self.finishedWithErrors(harness, finalizer: finalizer, webhookURL: nil)
            let control = JobControl(clients: harness.clients, configuration: harness.configuration)
            @Sendable func attempt() async -> Result<RetryResult, any Error> {
                do { return .success(try await control.retry(job)) } catch { return .failure(error) }
            }
            async let first = attempt()
            async let second = attempt()
            let outcomes = await [first, second]
            let succeeded = outcomes.compactMap { try? $0.get() }
            try #require(succeeded.count == 1, "\(outcomes)")
            #expect(succeeded[0].enqueued == 3)
            for case .failure(let error) in outcomes {
                let refusal = try #require(error as? JobControlError, "\(error)")
                switch refusal {
                case .busy, .stillRunning: break
                default: Issue.record("unexpected refusal \(refusal)")
                }
            }
            #expect(try await harness.counts(job) == JobCounts(succeeded: 1, failed: 0, remaining: 3))
            #expect(try await harness.taskNames(queue: PipelineNames.imageQueue(job: job, run: 1)).count == 3)
            #expect(try await harness.job(job)?.run == 1)
            // A third retry of the now running job is refused too.
            await #expect(throws: JobControlError.stillRunning(job)) { try await control.retry(job) }
        }
    }

    @Test("a retry racing a finalization (the finalizer lease held) is refused as busy and changes nothing")
    func retryWhileFinalizing() async throws {
        try await JobFinalizerTests.run { harness, finalizer, _, _ in
            let job = try await Self.finishedWithErrors(harness, finalizer: finalizer, webhookURL: nil)
            try await harness.holdFinalizerLease(job, holder: "teardown-\(job)", expiresAt: Date().addingTimeInterval(120))
            let before = try await harness.jobUpdateTime(job)
            let control = JobControl(clients: harness.clients, configuration: harness.configuration)
            do {
                _ = try await control.retry(job)
                Issue.record("the retry ran while the lease was held")
            } catch let error as JobControlError {
                guard case .busy(_, let holder, _) = error else { Issue.record("\(error)"); return }
                #expect(holder == "teardown-\(job)" && error.isTransient)
            }
            #expect(try await harness.jobUpdateTime(job) == before)
            #expect(try await harness.counts(job) == JobCounts(succeeded: 1, failed: 3, remaining: 0))
            #expect(try await harness.items(job).count == 4)
        }
    }

    @Test("retry is refused for a running job, a rejected job, a job with nothing to retry and an unknown job")
    func retryRefused() async throws {
        try await JobFinalizerTests.run { harness, finalizer, _, _ in
            let control = JobControl(clients: harness.clients, configuration: harness.configuration)
            let running = try await Self.makeJob(harness, webhookURL: nil).id
            await #expect(throws: JobControlError.stillRunning(running)) { try await control.retry(running) }

            let object = try await harness.uploadCSV("no header here\r\n")
            var rejected = harness.runningJob(harness.jobID(of: object), total: 0, rows: 0, source: .init(bucket: object.bucket, name: object.name, generation: "1"))
            rejected.status = .rejected
            rejected.counterShards = 0
            try await harness.writeJob(rejected, createQueue: false)
            await #expect(throws: JobControlError.rejected(rejected.id)) { try await control.retry(rejected.id) }

            let finished = try await Self.makeJob(harness, webhookURL: nil).id
            try await Self.record(harness, job: finished, [(1, 1), (1, 2), (2, 1), (3, 1)].enumerated().map { n, key in
                (Self.item(harness, job: finished, row: key.0, index: key.1, succeeded: true), n % 2)
            })
            _ = try await finalizer.finalize(job: finished, trigger: .task(.complete), holder: "teardown", logger: harness.logger)
            let before = try await harness.jobUpdateTime(finished)
            await #expect(throws: JobControlError.nothingToRetry(finished)) { try await control.retry(finished) }
            #expect(try await harness.jobUpdateTime(finished) == before)
            #expect(try await harness.finalizerLeaseExists(finished) == false)

            let unknown: JobID = "fedcba9876543210"
            await #expect(throws: JobControlError.unknownJob(unknown)) { try await control.retry(unknown) }
        }
    }

    @Test("retry of a cancelled job runs its failed and cancelled images, each counted on a shard that expects one; the job then finishes")
    func retryCancelled() async throws {
        try await JobFinalizerTests.run { harness, finalizer, _, _ in
            let job = try await Self.makeJob(harness, webhookURL: nil).id
            try await Self.record(harness, job: job, [
                (Self.item(harness, job: job, row: 1, index: 1, succeeded: true), 0), (Self.item(harness, job: job, row: 1, index: 2, succeeded: false), 1),
            ])
            let control = JobControl(clients: harness.clients, configuration: harness.configuration)
            try await control.cancel(job)
            try await Self.deliverControlTask(PipelineNames.cancelTask(job: job), finalizer: finalizer, harness: harness)
            #expect(try await harness.job(job)?.status == .cancelled)

            let result = try await control.retry(job)
            #expect(result.enqueued == 3 && result.failed == 1 && result.unrecorded == 2)
            #expect(result.job.cancelRequestedAt == nil)
            #expect(try await harness.counts(job) == JobCounts(succeeded: 1, failed: 0, remaining: 3))
            let names = try await Self.processImageTasks(harness, job: job, run: 1)
            #expect(names.count == 3)
            #expect(try await harness.jobs.counters(job).map(\.remaining) == [0, 0])
            try await Self.deliverControlTask(PipelineNames.teardownTask(job: job, run: 1), finalizer: finalizer, harness: harness)
            let view = try await Self.view(finalizer, job, harness: harness)
            #expect(view.status == .finished && view.succeeded == 4 && view.cancelled == 0 && view.cancelRequestedAt == nil)
        }
    }

    // MARK: results.ndjson and its BigQuery schema

    @Test("results.ndjson: one line per item with outputs, analysis, attempt and recordedAt; every field of every line is in infra/bigquery/results-schema.json with a compatible type, and every required field is present")
    func resultsMatchSchema() async throws {
        try await JobFinalizerTests.run { harness, finalizer, _, _ in
            let job = try await Self.makeJob(harness, webhookURL: nil).id
            try await Self.record(harness, job: job, [
                (Self.item(harness, job: job, row: 1, index: 1, succeeded: true), 0), (Self.item(harness, job: job, row: 1, index: 2, succeeded: false), 1),
            ])
            _ = try await finalizer.finalize(job: job, trigger: .direct(deadline: true), holder: "watchdog", logger: harness.logger)
            let text = try #require(try await harness.processedText(PipelineNames.resultsNDJSON(job: job)))
            let lines = text.split(separator: "\n")
            #expect(lines.count == 4 && text.hasSuffix("\n"))
            let first = try JSONDecoder().decode(JSONValue.self, from: Data(lines[0].utf8))
            #expect(first["job"] == .string(job.rawValue) && first["status"] == .string("succeeded") && first["attempt"] == .integer(1))
            guard case .array(let outputs)? = first["outputs"] else { Issue.record("no outputs in \(first)"); return }
            #expect(outputs.count == 1 && outputs[0]["contentType"] == .string("image/webp") && outputs[0]["bytes"] == .integer(1234) && outputs[0]["object"] == nil)
            #expect(first["analysis"]?["perceptualHash"] == .string("0123456789abcdef"))
            #expect(try await Self.results(harness, job: job).map(\.status) == [.succeeded, .failed, .missing, .missing])

            let schemaURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../infra/bigquery/results-schema.json")
            let schema = try JSONDecoder().decode([SchemaField].self, from: Data(contentsOf: schemaURL))
            var problems: [String] = []
            for line in lines {
                guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)) else {
                    problems.append("not an object: \(line)")
                    continue
                }
                problems += SchemaField.problems(object, fields: schema, path: "")
            }
            #expect(problems.isEmpty, "\(problems)")
        }
    }
}

/// A field of a BigQuery table schema, and whether a JSON object fits the schema as a
/// newline-delimited JSON load would take it.
struct SchemaField: Decodable {
    var name: String
    var type: String
    var mode: String?
    var fields: [SchemaField]?

    static func problems(_ object: [String: JSONValue], fields: [SchemaField], path: String) -> [String] {
        var problems: [String] = []
        let byName = Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0) })
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            guard let field = byName[key] else {
                problems.append("\(path)\(key): not in the schema")
                continue
            }
            if field.mode?.uppercased() == "REPEATED" {
                guard case .array(let values) = value else { problems.append("\(path)\(key): repeated but not an array"); continue }
                for (n, element) in values.enumerated() { problems += field.check(element, path: "\(path)\(key)[\(n)]") }
            } else {
                problems += field.check(value, path: "\(path)\(key)")
            }
        }
        for field in fields where field.mode?.uppercased() == "REQUIRED" && object[field.name] == nil {
            problems.append("\(path)\(field.name): required but absent")
        }
        return problems
    }

    private func check(_ value: JSONValue, path: String) -> [String] {
        switch (type.uppercased(), value) {
        case ("STRING", .string): []
        case ("TIMESTAMP", .string(let text)) where Timestamp.parse(text) != nil: []
        case ("INTEGER", .integer), ("INT64", .integer): []
        case ("BOOLEAN", .bool), ("BOOL", .bool): []
        case ("RECORD", .object(let object)), ("STRUCT", .object(let object)): Self.problems(object, fields: fields ?? [], path: path + ".")
        default: ["\(path): \(value) does not fit \(type)"]
        }
    }
}
