import Foundation
import GoogleCloud
import Logging
import PipelineModel

/// Turns one shard message into work (ARCHITECTURE §1, §5): reads only the shard's byte range
/// of the CSV, creates one task per valid image named `JOB-ROW-INDEX` (a name the queue already
/// knows means that task was already created), and records the shard's invalid rows and URLs
/// as failed items through the ledger, which counts each once however often the shard repeats.
struct ShardPopulator: Sendable {
    let configuration: PipelineConfiguration
    let clients: PipelineClients
    let ledger: JobLedger
    let jobs: JobStore
    /// Task creations in flight at once.
    var concurrency = 16
    /// Rows, tasks and invalid items, step durations; the job's `populate-N` timing documents.
    var metrics = StageMetrics(stage: "populate")

    init(configuration: PipelineConfiguration, clients: PipelineClients) {
        self.configuration = configuration
        self.clients = clients
        self.ledger = JobLedger(clients: clients, configuration: configuration)
        self.jobs = JobStore(firestore: clients.firestore)
    }

    /// What populating a shard did.
    struct Outcome: Sendable, Equatable {
        /// Tasks created by this delivery.
        var created = 0
        /// Tasks that already existed (an earlier delivery created them).
        var existing = 0
        /// Failed items recorded by this delivery.
        var failed = 0
        /// Whether the job was already finalized (its queue gone), so nothing was created.
        var jobFinished = false
    }

    /// `publishedAt`, the message's publish time, is when the shard started waiting for delivery.
    func populate(_ shard: ShardMessage, publishedAt: String? = nil, logger: Logger) async throws -> Outcome {
        let started = Date()
        let startedClock = ContinuousClock.now
        var lap = startedClock
        var timings = StepTimings(startedAt: Timestamp.format(started), queuedAt: publishedAt.flatMap(Timestamp.parse).map(Timestamp.format))
        guard let job = try await jobs.record(shard.job)?.record else {
            throw PopulateError.unknownJob(shard.job)
        }
        guard job.status == .running else {
            logger.debug("job already final; shard ignored", metadata: ["pixelpipe.status": .string(job.status.rawValue)])
            return Outcome(jobFinished: true)
        }
        guard let recipe = job.recipe else { throw PopulateError.noRecipe(shard.job) }
        let rows = try await read(shard)
        timings.add("rows", ContinuousClock.now - lap)
        lap = .now

        var outcome = Outcome()
        let recordedAt = Timestamp.format(Date())
        // Each image counts on the counter shard its place in this message says; the failed
        // items of the message all count on the message's own shard (see CounterShard).
        let counterShards = job.counterShards ?? 1
        let message = shard.number ?? 0
        var image = 0
        var tasks: [ImageTask] = []
        var failed: [ItemRecord] = []
        for row in rows {
            var counters: [Int: Int] = [:]
            for url in row.urls {
                counters[url.index] = CounterShard.shard(ofImage: image, inMessage: message, shards: counterShards)
                image += 1
            }
            tasks += row.imageTasks(job: shard.job, recipe: recipe) { counters[$0] ?? 0 }
            failed += row.failedItems(recordedAt: recordedAt)
        }
        // In batches that are the same on every delivery, so a repeat finds each whole or absent.
        let failedShard = CounterShard.shard(ofFailedItemsIn: message, shards: counterShards)
        for start in stride(from: 0, to: failed.count, by: JobStore.maxItemsPerCommit) {
            let batch = Array(failed[start..<min(start + JobStore.maxItemsPerCommit, failed.count)])
            if case .recorded = try await ledger.record(batch, job: shard.job, shard: failedShard, logger: logger) { outcome.failed += batch.count }
        }
        if !failed.isEmpty {
            timings.add("record_invalid", ContinuousClock.now - lap)
            lap = .now
        }
        let processURL = try configuration.requireProcessURL()
        let results = try await withThrowingTaskGroup(of: TaskCreation.self) { group in
            var results: [TaskCreation] = []
            var next = 0
            func addNext() {
                guard next < tasks.count else { return }
                let task = tasks[next]
                next += 1
                group.addTask { try await create(task, processURL: processURL) }
            }
            for _ in 0..<min(concurrency, tasks.count) { addNext() }
            while let result = try await group.next() {
                results.append(result)
                addNext()
            }
            return results
        }
        for result in results {
            switch result {
            case .created: outcome.created += 1
            case .existing: outcome.existing += 1
            case .queueGone: outcome.jobFinished = true
            }
        }
        if outcome.jobFinished {
            // A missing queue is expected once teardown finished the job; for a running job it
            // is an anomaly worth retrying rather than losing the shard's images.
            let now = try await jobs.record(shard.job)?.record
            if now?.status == .running {
                throw PopulateError.queueMissing(job: shard.job)
            }
        }
        timings.add("enqueue", ContinuousClock.now - lap)
        try await recordTimings(timings, shard: shard, rows: rows.count, outcome: outcome, invalid: failed.count, total: ContinuousClock.now - startedClock, logger: logger)
        return outcome
    }

    private enum TaskCreation: Sendable {
        case created, existing, queueGone
    }

    /// Creates the task of one image; an existing name is success.
    private func create(_ image: ImageTask, processURL: String) async throws -> TaskCreation {
        do {
            let created = try await clients.createTask(
                named: PipelineNames.imageTask(job: image.job, row: image.row, index: image.index),
                queue: PipelineNames.imageQueue(job: image.job), url: processURL, body: image, configuration: configuration
            )
            return created ? .created : .existing
        } catch let error as GoogleAPIError where error.isNotFound {
            // Teardown deletes the queue once the job is final (checked by the caller).
            return .queueGone
        }
    }

    /// The shard's rows, read from exactly its byte range of the job's CSV version.
    private func read(_ shard: ShardMessage) async throws -> [CSVRow] {
        guard shard.start >= 0, shard.end > shard.start, let generation = Int64(shard.generation) else {
            throw PopulateError.malformedShard(job: shard.job, detail: "byte range \(shard.start)..<\(shard.end), generation \(shard.generation)")
        }
        let bytes: Data
        do {
            bytes = try await clients.storage.download(bucket: shard.bucket, name: shard.object, range: shard.start...(shard.end - 1), generation: generation)
        } catch let error as GoogleAPIError where error.isNotFound {
            throw PopulateError.csvGone(job: shard.job, object: "gs://\(shard.bucket)/\(shard.object)#\(shard.generation)")
        }
        guard bytes.count == shard.end - shard.start else {
            throw PopulateError.shortRead(job: shard.job, object: "gs://\(shard.bucket)/\(shard.object)#\(shard.generation)", expected: shard.end - shard.start, read: bytes.count)
        }
        let header: CSVHeader
        do {
            header = try CSVHeader(columns: shard.header)
        } catch {
            throw PopulateError.malformedShard(job: shard.job, detail: "header \(shard.header): \(error)")
        }
        var reader = CSVRowReader(header: header, startOffset: shard.start, firstRowNumber: shard.firstRow, limits: configuration.csvLimits)
        do {
            let rows = try reader.consume(bytes) + reader.finish()
            guard rows.count == shard.rows else {
                throw PopulateError.malformedShard(job: shard.job, detail: "expected \(shard.rows) rows from row \(shard.firstRow), read \(rows.count)")
            }
            return rows
        } catch let error as CSVStructuralError {
            throw PopulateError.malformedShard(job: shard.job, detail: "rows from \(shard.firstRow): \(error)")
        }
    }
}
