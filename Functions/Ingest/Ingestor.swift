import Foundation
import FunctionsFramework
import GoogleCloud
import Logging
import PipelineModel
import PixelPipeCore

/// Turns one uploaded CSV version into a job (ARCHITECTURE §1, §5, §6): validates it in one
/// streaming pass, creates the job document, the job's queue, the shard messages and the
/// watchdog. Every step is safe to repeat, so a redelivered event changes nothing, and a run
/// interrupted halfway is completed by the next delivery.
struct Ingestor: Sendable {
    let configuration: PipelineConfiguration
    let clients: PipelineClients
    let ledger: JobLedger
    let jobs: JobStore
    /// Shard messages per publish request.
    var publishBatch = 500
    /// Jobs by outcome, rows and shards, step durations; the job's `ingest` timing document.
    var metrics = StageMetrics(stage: "ingest")

    init(configuration: PipelineConfiguration, clients: PipelineClients) {
        self.configuration = configuration
        self.clients = clients
        self.ledger = JobLedger(clients: clients, configuration: configuration)
        self.jobs = JobStore(firestore: clients.firestore)
    }

    /// What ingesting an object did.
    enum Outcome: Equatable {
        /// A new job, published: `items` items in `shards` shards.
        case accepted(job: JobID, items: Int, shards: Int)
        /// The CSV was refused; the job records why.
        case rejected(job: JobID, reason: String)
        /// This object version was already ingested; nothing was done.
        case alreadyIngested(job: JobID)
    }

    /// Ingests `object`, as described by its finalize event.
    func ingest(_ object: StorageObject, logger: Logger) async throws -> Outcome {
        guard let generation = object.generationNumber else {
            throw IngestError.noGeneration(bucket: object.bucket, name: object.name)
        }
        let job = PipelineNames.jobID(bucket: object.bucket, object: object.name, generation: generation)
        var logger = logger
        logger[metadataKey: "pixelpipe.job"] = .string(job.rawValue)
        let source = JobRecord.Source(bucket: object.bucket, name: object.name, generation: String(generation))

        let existing = try await jobs.record(job)?.record
        // An untraced invocation (tracing off: the framework bound no span) starts no trace,
        // and the job records none.
        guard let current = TraceParent.current else {
            return try await ingest(object, job: job, generation: generation, source: source, existing: existing, trace: nil, logger: logger)
        }
        // One trace per job: the one the job was created in (a redelivered event arrives in
        // another), else this invocation's. Sampled, so Cloud Run records every stage's spans.
        let trace = TraceParent(traceID: existing?.traceID ?? current.traceID, spanID: current.spanID, sampled: true)
        logger = logger.tracing(trace)
        return try await TraceParent.withCurrent(trace) {
            try await ingest(object, job: job, generation: generation, source: source, existing: existing, trace: trace, logger: logger)
        }
    }

    /// Ingests `object` as `job` within the job's trace, if traced.
    private func ingest(
        _ object: StorageObject, job: JobID, generation: Int64, source: JobRecord.Source, existing: JobRecord?, trace: TraceParent?, logger: Logger
    ) async throws -> Outcome {
        if let existing, existing.published || existing.status.isFinal {
            if existing.status == .rejected {
                // The first delivery may have stopped before enqueuing the teardown.
                try await ledger.enqueueTeardown(job: job, reason: .complete, logger: logger)
            }
            logger.debug("object version already ingested")
            return .alreadyIngested(job: job)
        }

        let started = Date()
        let startedClock = ContinuousClock.now
        var lap = startedClock
        // From the upload (the object's creation, when the event says) to the end of publishing.
        var timings = StepTimings(startedAt: Timestamp.format(started), queuedAt: object.timeCreated.flatMap(Timestamp.parse).map(Timestamp.format))
        let scan: CSVScan.Result
        let recipe: String
        let webhookURL: String?
        do {
            scan = try await self.scan(object, generation: generation)
            timings.add("scan", ContinuousClock.now - lap)
            lap = .now
            recipe = try effectiveRecipe(object.metadata?["recipe"])
            webhookURL = try self.webhookURL(object.metadata?["webhook-url"])
        } catch let rejection as Rejection {
            let webhook = (try? self.webhookURL(object.metadata?["webhook-url"])) ?? nil
            try await reject(job: job, source: source, rejection, webhookURL: webhook, owner: Self.owner(of: object), traceID: trace?.traceID, logger: logger)
            metrics.work("jobs", 1, outcome: "rejected")
            return .rejected(job: job, reason: rejection.reason)
        }

        let now = Date()
        let counterShards = CounterShard.count(items: scan.items, dispatchesPerSecond: configuration.imageQueue.maxDispatchesPerSecond)
        let record = existing ?? JobRecord(
            id: job, source: source, total: scan.items, rows: scan.rows, invalidRows: scan.invalidRows, shards: scan.shards.count,
            counterShards: counterShards,
            recipe: recipe, webhookURL: webhookURL, createdAt: now, deadline: now.addingTimeInterval(configuration.jobDeadline(forItems: scan.items).timeInterval),
            owner: Self.owner(of: object), traceID: trace?.traceID
        )
        if existing == nil {
            let counters = CounterShard.plan(
                imagesPerMessage: scan.shards.map { $0.items - $0.failedItems }, failedPerMessage: scan.shards.map(\.failedItems), shards: counterShards
            )
            try await jobs.create(record, counters: counters)
        }
        // The watchdog first: whatever fails from here on, the job is finalized at its deadline.
        try await ledger.enqueueTeardown(job: job, reason: .deadline, at: Timestamp.parse(record.deadline), logger: logger)
        let queue = PipelineNames.imageQueue(job: job)
        do {
            _ = try await clients.tasks.createQueue(queue, rateLimits: configuration.imageQueue.rateLimits, retryConfig: configuration.imageQueue.retryConfig)
        } catch let error as GoogleAPIError where error.isAlreadyExists {
            logger.debug("job queue already exists", metadata: ["pixelpipe.queue": .string(queue)])
        }
        timings.add("create_job", ContinuousClock.now - lap)
        lap = .now
        try await publish(job: job, source: source, header: scan.header, shards: scan.shards)
        try await jobs.update(job, .init(published: true))
        timings.add("publish", ContinuousClock.now - lap)
        try await recordTimings(timings, job: job, scan: scan, total: ContinuousClock.now - startedClock, logger: logger)
        logger.debug("job accepted", metadata: [
            "pixelpipe.items": .stringConvertible(scan.items), "pixelpipe.rows": .stringConvertible(scan.rows),
            "pixelpipe.shards": .stringConvertible(scan.shards.count),
        ])
        return .accepted(job: job, items: scan.items, shards: scan.shards.count)
    }

    /// Why a CSV is refused as a whole.
    private struct Rejection: Error {
        var reason: String
        var kind: String
        var row: Int?
    }

    /// Streams the object (ranged reads) through the validator.
    private func scan(_ object: StorageObject, generation: Int64) async throws -> CSVScan.Result {
        let limit = configuration.csvLimits.maxFileBytes
        guard let size = object.byteCount else {
            throw IngestError(description: "gs://\(object.bucket)/\(object.name): the event carries no object size")
        }
        if size > Int64(limit) {
            let error = CSVStructuralError.tooLarge(size: size, limit: limit)
            throw Rejection(reason: error.reason, kind: error.kind, row: nil)
        }
        var scan = CSVScan(limits: configuration.csvLimits, rowsPerShard: configuration.rowsPerShard, itemsPerShard: configuration.itemsPerShard)
        do {
            for try await chunk in clients.storage.chunks(bucket: object.bucket, name: object.name, generation: generation, size: Int(size)) {
                try scan.consume(chunk)
            }
            let result = try scan.finish()
            if result.rows == 0 {
                throw Rejection(reason: "the file has a header but no data rows", kind: "noRows", row: nil)
            }
            return result
        } catch let error as CSVStructuralError {
            throw Rejection(reason: error.reason.isEmpty ? error.description : error.reason, kind: error.kind, row: error.row)
        } catch let error as GoogleAPIError where error.isNotFound {
            throw IngestError.objectGone(bucket: object.bucket, name: object.name, generation: generation)
        }
    }

    /// The uid the jobs API stored the CSV for (`owner` metadata); nil for other uploads.
    static func owner(of object: StorageObject) -> String? {
        guard let owner = object.metadata?["owner"], !owner.isEmpty, owner.count <= 128 else { return nil }
        return owner
    }

    /// The default recipe with the CSV's `recipe` metadata applied, as JSON.
    private func effectiveRecipe(_ override: String?) throws -> String {
        var recipe = configuration.recipe
        if let override {
            do {
                recipe = try recipe.merging(overrideJSON: Data(override.utf8))
            } catch {
                throw Rejection(reason: "the object's \"recipe\" metadata is not a valid recipe: \(error)", kind: "invalidRecipe", row: nil)
            }
            do {
                try configuration.outputBudget.check(recipe)
            } catch {
                // Refused here, before a single image is downloaded, in the words POST /process uses.
                throw Rejection(reason: error.description, kind: "overBudget", row: nil)
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(recipe), as: UTF8.self)
    }

    /// The CSV's `webhook-url` metadata when set (it must be an http(s) URL), else configuration's.
    private func webhookURL(_ metadata: String?) throws -> String? {
        guard let metadata else { return configuration.webhookURL }
        guard let components = URLComponents(string: metadata), ["http", "https"].contains(components.scheme?.lowercased() ?? ""),
              components.host?.isEmpty == false else {
            throw Rejection(reason: "the object's \"webhook-url\" metadata is not an http(s) URL: \(metadata.prefix(200))", kind: "invalidWebhook", row: nil)
        }
        return metadata
    }

    /// Publishes the shard messages in batches.
    private func publish(job: JobID, source: JobRecord.Source, header: CSVHeader, shards: [CSVScan.Shard]) async throws {
        let encoder = JSONEncoder()
        for batch in stride(from: 0, to: shards.count, by: publishBatch) {
            let messages = try (batch..<min(batch + publishBatch, shards.count)).map { number in
                let shard = shards[number]
                let message = ShardMessage(
                    job: job, bucket: source.bucket, object: source.name, generation: source.generation, header: header.columns,
                    start: shard.start, end: shard.end, firstRow: shard.firstRow, rows: shard.rows, number: number
                )
                return PubSubOutgoingMessage(data: try encoder.encode(message), attributes: ["job": job.rawValue])
            }
            _ = try await clients.pubSub.publish(messages, to: configuration.shardsTopic)
        }
    }

    /// Records a rejected job: the error report, the job document, and its teardown (which
    /// sends the webhook with status `rejected`).
    private func reject(job: JobID, source: JobRecord.Source, _ rejection: Rejection, webhookURL: String?, owner: String?, traceID: String?, logger: Logger) async throws {
        let now = Date()
        let report = PipelineNames.errorReport(job: job)
        let body = JobRejection(job: job, source: source, reason: rejection.reason, kind: rejection.kind, row: rejection.row, rejectedAt: Timestamp.format(now))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        _ = try await clients.storage.upload(try encoder.encode(body), bucket: configuration.processedBucket, name: report, options: .init(contentType: "application/json"))
        let record = JobRecord(
            id: job, status: .rejected, source: source, total: 0, rows: 0, invalidRows: 0, shards: 0, recipe: nil,
            webhookURL: webhookURL, createdAt: now, deadline: now, error: rejection.reason, errorReport: report, owner: owner, traceID: traceID
        )
        try await jobs.create(record)
        try await ledger.enqueueTeardown(job: job, reason: .complete, logger: logger)
        logger.warning("CSV rejected", metadata: ["pixelpipe.reason": .string(rejection.reason), "pixelpipe.object": .string("gs://\(source.bucket)/\(source.name)")])
    }
}
