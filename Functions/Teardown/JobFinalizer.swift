import Foundation
import GoogleCloud
import Logging
import PipelineModel
import PixelPipeCore

/// Finalizes a job idempotently, in an order that makes every step safe to repeat:
/// 1. a job already finalized whose webhook (if any) was delivered is left untouched;
/// 2. under the job's finalizer lease, a job not yet final gets its output CSV (not for
///    rejected jobs), then `status`, `finalizedAt`, `outputCSV`, `missing` and
///    `nearDuplicates` in one write conditional on the job not having changed since it was read;
/// 3. the job's queue `images-JOB` is deleted (already gone is fine);
/// 4. the webhook is sent unless it was delivered, and `webhookDeliveredAt` recorded.
/// A failure in 3 or 4 is transient: the control queue retries and the retry resumes at 3.
struct JobFinalizer: Sendable {
    let clients: PipelineClients
    let configuration: TeardownConfiguration
    let webhook: WebhookSender

    init(clients: PipelineClients, configuration: TeardownConfiguration) {
        self.clients = clients
        self.configuration = configuration
        webhook = WebhookSender(
            addresses: configuration.pipeline.webhookAddresses,
            timeout: configuration.webhookTimeout,
            secret: configuration.webhookSecret
        )
    }

    /// Finalizes `job` and returns its summary.
    func finalize(job id: String, trigger: FinalStatus.Trigger, holder: String, logger: Logger) async throws -> JobSummary {
        var logger = logger
        logger[metadataKey: "pixelpipe.job"] = .string(id)
        let (first, _) = try await read(id)
        if Self.isDone(first.job) {
            // The queue too: a run that died between finalizing and deleting it left it behind.
            try await deleteJobQueue(id, logger: logger)
            logger.debug("job already finalized")
            return first.summary(configuration.pipeline)
        }
        if case .task(.deadline, let watchdog) = trigger, try await isProgressing(first.job) {
            try await postpone(first.job, watchdog: watchdog, logger: logger)
            return first.summary(configuration.pipeline)
        }

        let lease = try await FinalizerLease.acquire(job: id, holder: holder, duration: configuration.leaseDuration, firestore: clients.firestore, logger: logger)
        do {
            let summary = try await finalizeHoldingLease(id, trigger: trigger, logger: logger)
            await lease.release(logger: logger)
            return summary
        } catch {
            await lease.release(logger: logger)
            throw error
        }
    }

    private func finalizeHoldingLease(_ id: String, trigger: FinalStatus.Trigger, logger: Logger) async throws -> JobSummary {
        if trigger.isDeadline {
            // Stop dispatching before reading the counts: otherwise items recorded while the
            // output is built keep changing the job, and the conditional write below never lands.
            try await pauseJobQueue(id, logger: logger)
        }
        // Read again: another invocation may have finished while this one waited for the lease.
        var (state, updateTime) = try await read(id)
        if Self.isDone(state.job) { return state.summary(configuration.pipeline) }

        if state.job.finalizedAt == nil {
            state = try await record(state, updateTime: updateTime, trigger: trigger, logger: logger)
        }
        try await deleteJobQueue(id, logger: logger)
        if let url = state.job.webhookURL, state.job.webhookDeliveredAt == nil {
            let summary = state.summary(configuration.pipeline)
            try await webhook.send(try summary.encoded(), job: id, to: url, logger: logger)
            let deliveredAt = Timestamp.format(Date())
            try await clients.firestore.patch(PipelineNames.jobDocument(job: id), fields: ["webhookDeliveredAt": .string(deliveredAt)], mask: ["webhookDeliveredAt"], exists: true)
            state.job.webhookDeliveredAt = deliveredAt
            logger.debug("webhook delivered")
        }
        return state.summary(configuration.pipeline)
    }

    /// Decides the final status, writes the output CSV and records both on the job.
    private func record(_ state: FinalizedJob, updateTime: String?, trigger: FinalStatus.Trigger, logger: Logger) async throws -> FinalizedJob {
        var state = state
        let id = state.job.id
        let (status, missing) = try FinalStatus.decide(state.job, trigger: trigger, now: Date())
        var fields: [String: FirestoreValue] = ["status": .string(status.rawValue)]
        if status != .rejected {
            let items = try await clients.firestore.listAll("jobs/\(id)/items").map { try $0.decode(ItemRecord.self) }
            let output = try await OutputCSVBuilder(storage: clients.storage, limits: configuration.pipeline.csvLimits)
                .build(job: state.job, items: Dictionary(items.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }))
            let name = PipelineNames.outputCSV(job: id)
            _ = try await clients.storage.upload(output.data, bucket: configuration.pipeline.processedBucket, name: name, options: .init(contentType: "text/csv"))
            state.job.outputCSV = name
            fields["outputCSV"] = .string(name)
            state.nearDuplicates = NearDuplicate.find(in: items, threshold: configuration.nearDuplicateDistance)
            fields["nearDuplicates"] = try FirestoreCoding.fields(from: NearDuplicatesField(nearDuplicates: state.nearDuplicates))["nearDuplicates"] ?? .array([])
            if !output.fromSource {
                logger.warning("source CSV gone; output CSV rebuilt from the items", metadata: ["pixelpipe.object": .string("gs://\(state.job.source.bucket)/\(state.job.source.name)#\(state.job.source.generation)")])
            }
            logger.debug("output CSV written", metadata: ["pixelpipe.object": .string(name), "pixelpipe.rows": .stringConvertible(output.rows)])
        }
        if let missing {
            state.job.missing = missing
            fields["missing"] = .integer(Int64(missing))
        }
        let counts = JobRecord.FinalCounts(succeeded: state.job.succeeded, failed: state.job.failed, missing: missing ?? 0)
        state.job.finalCounts = counts
        fields["finalCounts"] = try FirestoreCoding.fields(from: FinalCountsField(finalCounts: counts))["finalCounts"] ?? .null
        let finalizedAt = Timestamp.format(Date())
        state.job.status = status
        state.job.finalizedAt = finalizedAt
        fields["finalizedAt"] = .string(finalizedAt)
        let write = FirestoreWrite(
            .update(path: PipelineNames.jobDocument(job: id), fields: fields, mask: fields.keys.sorted()),
            precondition: updateTime.map { .updateTime($0) } ?? .exists(true)
        )
        do {
            _ = try await clients.firestore.commit([write])
        } catch let error as GoogleAPIError where error.isPreconditionFailed {
            throw TeardownError.jobChanged(id)
        }
        logger.debug("job finalized", metadata: ["pixelpipe.status": .string(status.rawValue)])
        return state
    }

    /// Whether `job` is still progressing at its deadline: it recorded an item less than
    /// `stallTimeout` ago, or its queue still holds tasks (being dispatched or waiting out a
    /// source's outage — they leave the queue once it gives up on them). The second covers the
    /// time nothing could be delivered (the emulator stopped, a full disk) without counting it
    /// as a stall. An incomplete job with neither is stalled, and is timed out.
    private func isProgressing(_ job: JobRecord) async throws -> Bool {
        guard !job.status.isFinal, !job.isComplete else { return false }
        if Self.recordedRecently(job, now: Date(), stallTimeout: configuration.stallTimeout) { return true }
        do {
            return !(try await clients.tasks.listTasks(queue: PipelineNames.imageQueue(job: job.id), pageSize: 1)).isEmpty
        } catch let error as GoogleAPIError where error.isNotFound {
            return false
        }
    }

    /// Whether `job` recorded an item less than `stallTimeout` before `now`.
    static func recordedRecently(_ job: JobRecord, now: Date, stallTimeout: Duration) -> Bool {
        guard let last = job.lastItemAt.flatMap(Timestamp.parse) else { return false }
        return now.timeIntervalSince(last) < stallTimeout.timeInterval
    }

    /// Schedules the next watchdog `stallTimeout` from now and records the new deadline on the
    /// job. The next watchdog's number comes from this one's (`watchdog`), so a retry after a
    /// failure in between computes the same task, and a patch that never lands cannot leave
    /// the job without a watchdog.
    private func postpone(_ job: JobRecord, watchdog: Int, logger: Logger) async throws {
        let deadline = Date().addingTimeInterval(configuration.stallTimeout.timeInterval)
        let number = watchdog + 1
        try await JobLedger(clients: clients, configuration: configuration.pipeline)
            .enqueueTeardown(job: job.id, reason: .deadline, at: deadline, watchdogExtension: number, logger: logger)
        _ = try await clients.firestore.patch(
            PipelineNames.jobDocument(job: job.id),
            fields: ["deadline": .string(Timestamp.format(deadline)), "deadlineExtensions": .integer(Int64(number))],
            mask: ["deadline", "deadlineExtensions"], exists: true
        )
        logger.notice("job still progressing at its deadline; deadline moved on", metadata: [
            "pixelpipe.deadline": .string(Timestamp.format(deadline)), "pixelpipe.remaining": .stringConvertible(job.remaining),
        ])
    }

    private func pauseJobQueue(_ id: String, logger: Logger) async throws {
        do {
            _ = try await clients.tasks.pauseQueue(PipelineNames.imageQueue(job: id))
        } catch let error as GoogleAPIError where error.isNotFound {
            return
        }
    }

    private func deleteJobQueue(_ id: String, logger: Logger) async throws {
        let queue = PipelineNames.imageQueue(job: id)
        do {
            try await clients.tasks.deleteQueue(queue)
            logger.debug("job queue deleted", metadata: ["pixelpipe.queue": .string(queue)])
        } catch let error as GoogleAPIError where error.isNotFound {
            return
        }
    }

    private func read(_ id: String) async throws -> (FinalizedJob, updateTime: String?) {
        guard let document = try await clients.firestore.document(PipelineNames.jobDocument(job: id)) else {
            throw TeardownError.unknownJob(id)
        }
        return (try FinalizedJob(document), document.updateTime)
    }

    /// Finalized, and the webhook (if the job has one) delivered: nothing is left to do.
    static func isDone(_ job: JobRecord) -> Bool {
        job.finalizedAt != nil && (job.webhookURL == nil || job.webhookDeliveredAt != nil)
    }
}

/// The `finalCounts` field as a document fragment.
struct FinalCountsField: Codable {
    var finalCounts: JobRecord.FinalCounts
}

/// The `nearDuplicates` field teardown adds to the job document.
struct NearDuplicatesField: Codable {
    var nearDuplicates: [NearDuplicate]?
}

/// A job document as teardown reads it: the shared record plus the near-duplicates teardown
/// stored when it finalized the job.
struct FinalizedJob: Sendable {
    var job: JobRecord
    var nearDuplicates: [NearDuplicate]

    init(_ document: FirestoreDocument) throws {
        job = try document.decode(JobRecord.self)
        nearDuplicates = try document.decode(NearDuplicatesField.self).nearDuplicates ?? []
    }

    func summary(_ configuration: PipelineConfiguration) -> JobSummary {
        JobSummary(job: job, nearDuplicates: nearDuplicates, configuration: configuration)
    }
}
