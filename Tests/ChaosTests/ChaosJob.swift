import Foundation
import GoogleCloud
import PipelineModel
import TestSupport

/// One job of the chaos suite: a CSV of `rows` products with two images each, uploaded to the
/// uploads bucket with its own webhook path, and what finishing it exactly once must leave.
struct ChaosJob: Sendable {
    let name: String
    let csv: ProductCSV
    let job: JobID
    let webhookPath: String
    let submittedAt: ContinuousClock.Instant

    /// Images in the job.
    var total: Int { csv.rows.reduce(0) { $0 + $1.urls.count } }

    /// Builds the CSV (image numbers start at `firstImage`) and uploads it.
    static func submit(_ name: String, rows: Int, firstImage: Int = 0, pipeline: ChaosPipeline, images: ImageHost, webhookBase: String) async throws -> ChaosJob {
        var csv = ProductCSV()
        for row in 0..<rows {
            csv.add("Product \(name) \(row + 1)", [images.url(firstImage + 2 * row), images.url(firstImage + 2 * row + 1)])
        }
        let path = "/hooks/\(name)"
        let object = try await pipeline.clients.storage.upload(
            Data(csv.text.utf8), bucket: pipeline.configuration.uploadsBucket, name: "\(name).csv",
            options: .init(contentType: "text/csv", metadata: ["webhook-url": webhookBase + path])
        )
        guard let generation = object.generationNumber else { throw TestFailure("upload of \(name) returned no generation") }
        return ChaosJob(
            name: name, csv: csv, job: PipelineNames.jobID(bucket: object.bucket, object: object.name, generation: generation),
            webhookPath: path, submittedAt: .now
        )
    }

    /// The job (its document and the counts over its counter shards), or nil while it does not
    /// exist or the emulator does not answer.
    func record(_ pipeline: ChaosPipeline) async -> JobState? {
        try? await JobStore(firestore: pipeline.clients.firestore).state(job)
    }

    /// Items recorded so far (0 while the emulator does not answer).
    func done(_ pipeline: ChaosPipeline) async -> Int {
        guard let record = await record(pipeline) else { return 0 }
        return record.succeeded + record.failed
    }

    /// Waits until at least `count` items are recorded.
    func awaitDone(_ count: Int, _ pipeline: ChaosPipeline, within limit: Duration = .seconds(120)) async throws {
        _ = try await eventually("\(count) items of job \(job) to be recorded", within: limit, context: { pipeline.recentLog() }) { () -> Bool? in
            await done(pipeline) >= count ? true : nil
        }
    }

    /// Waits for the job's final status and its webhook; returns what it took from submission.
    func awaitFinished(_ pipeline: ChaosPipeline, webhooks: RecordingServer, within limit: Duration = .seconds(240)) async throws -> Duration {
        _ = try await eventually("job \(job) to be final with its webhook delivered", within: limit, context: { pipeline.recentLog() }) { () -> Bool? in
            guard let record = await record(pipeline), record.status.isFinal, record.webhookDeliveredAt != nil,
                  !calls(webhooks).isEmpty else { return nil }
            return true
        }
        return ContinuousClock.now - submittedAt
    }

    /// The webhook calls made for this job.
    func calls(_ webhooks: RecordingServer) -> [RecordedRequest] {
        webhooks.requests.filter { $0.path == webhookPath }
    }

    /// Everything exactly-once means for this job, counted: the report says what was lost,
    /// counted twice, missing or extra, and which webhook calls differed.
    func audit(_ pipeline: ChaosPipeline, webhooks: RecordingServer, secret: String) async throws -> ChaosReport {
        let clients = pipeline.clients
        let jobs = JobStore(firestore: clients.firestore)
        guard let record = try await jobs.state(job) else {
            throw TestFailure("job \(job) has no document")
        }
        let items = try await jobs.allItems(job)
        let expectedItems = Set(csv.rows.enumerated().flatMap { row, given in (1...given.urls.count).map { "\(row + 1)-\($0)" } })
        let itemIDs = Set(items.map(\.id))

        let expectedOutputs = Set(csv.rows.enumerated().flatMap { row, given in
            (1...given.urls.count).map { index in
                PipelineNames.outputObject(job: job, product: given.product, row: row + 1, index: index, size: "thumb", format: "webp")
            }
        })
        let objects = try await clients.storage.listAll(bucket: pipeline.configuration.processedBucket, prefix: "\(job)/")
        let outputs = Set(objects.map(\.name).filter { $0 != PipelineNames.outputCSV(job: job) && $0 != PipelineNames.resultsNDJSON(job: job) })

        var csvProblems: [String] = []
        let output = try ParsedCSV(try await clients.storage.download(bucket: pipeline.configuration.processedBucket, name: PipelineNames.outputCSV(job: job)))
        if output.rows.count != csv.rows.count { csvProblems.append("\(output.rows.count) rows for \(csv.rows.count)") }
        for (number, (row, given)) in zip(output.rows, csv.rows).enumerated() {
            if Array(row.prefix(3)) != given.fields { csvProblems.append("row \(number + 1): input cells changed") }
            if output.cell(row, "Status") != "succeeded" { csvProblems.append("row \(number + 1): \(output.cell(row, "Status")) \(output.cell(row, "Error"))") }
            if output.cell(row, "Output Image Urls").split(separator: ",").count != given.urls.count { csvProblems.append("row \(number + 1): links \(output.cell(row, "Output Image Urls"))") }
        }

        let calls = calls(webhooks)
        let bodies = Set(calls.map(\.body))
        let keys = Set(calls.map { $0.headers["idempotency-key"] ?? "" })
        let signed = calls.allSatisfy { WebhookSignature.isValid($0.headers[WebhookSignature.header.lowercased()] ?? "", body: $0.body, secret: secret) }
        return ChaosReport(
            job: job.rawValue, status: record.status.rawValue, total: total,
            succeeded: record.succeeded, failed: record.failed,
            lost: expectedItems.subtracting(itemIDs).count,
            doubleCounted: max(0, record.succeeded + record.failed - items.count) + max(0, items.count - expectedItems.count),
            missingOutputs: expectedOutputs.subtracting(outputs).count, extraOutputs: outputs.subtracting(expectedOutputs).count,
            outputCSVProblems: csvProblems,
            webhooks: calls.count, webhookBodies: bodies.count, webhookKeysMatch: keys == [job.rawValue], webhooksSigned: signed,
            retriedItems: items.filter { ($0.attempt ?? 1) > 1 }.count,
            secondsToFinish: 0
        )
    }
}
