import Foundation
import GoogleCloud
import Logging
import PipelineModel
import PixelPipeCore

/// Finalizes a job idempotently, in an order that makes every step safe to repeat:
/// 1. a job already finalized whose webhook (if any) was delivered is left untouched;
/// 2. under the job's finalizer lease, renewed while it works, a job not yet final gets its
///    output CSV and `results.ndjson` (not for rejected jobs), then `status`, `finalizedAt`,
///    `outputCSV`, `resultsNDJSON`, `missing`, `finalCounts` and `nearDuplicates` in one write
///    conditional on the job document not having changed since it was read;
/// 3. the run's queue `images-JOB[-rN]` is deleted (already gone is fine);
/// 4. the webhook is sent unless it was delivered, and `webhookDeliveredAt` recorded.
/// A failure in 3 or 4 is transient: the control queue retries and the retry resumes at 3.
struct JobFinalizer: Sendable {
    let clients: PipelineClients
    let jobs: JobStore
    let configuration: TeardownConfiguration
    let webhook: WebhookSender
    /// Jobs by final status, webhook attempts, step durations; the job's `teardown` timing document.
    var metrics = StageMetrics(stage: "teardown")

    init(clients: PipelineClients, configuration: TeardownConfiguration) {
        self.clients = clients
        self.jobs = JobStore(firestore: clients.firestore)
        self.configuration = configuration
        webhook = WebhookSender(
            addresses: configuration.pipeline.webhookAddresses,
            timeout: configuration.webhookTimeout,
            secret: configuration.webhookSecret
        )
    }

    /// Finalizes `job` and returns it as the job's JSON shows it. `run` is the run a control
    /// task was scheduled for (nil for a direct call): a watchdog or cancel task of an earlier run
    /// of a retried job changes nothing.
    func finalize(job id: JobID, trigger: FinalStatus.Trigger, run: Int? = nil, holder: String, logger: Logger) async throws -> JobView {
        var logger = logger
        logger[metadataKey: "pixelpipe.job"] = .string(id.rawValue)
        let first = try await read(id)
        if let run, run != (first.run ?? 0), case .task(let reason, _) = trigger, reason != .complete {
            logger.debug("control task of an earlier run of the job; nothing to do", metadata: ["pixelpipe.run": .stringConvertible(run)])
            return view(first)
        }
        if Self.isDone(first.record) {
            // The queue too: a run that died between finalizing and deleting it left it behind.
            try await deleteJobQueue(first.record, logger: logger)
            logger.debug("job already finalized")
            return view(first)
        }
        if case .task(.deadline, let watchdog) = trigger, try await isProgressing(first) {
            try await postpone(first, watchdog: watchdog, logger: logger)
            return view(first)
        }

        return try await FinalizerLease.holding(job: id, holder: holder, duration: configuration.leaseDuration, jobs: jobs, logger: logger) { [logger] lease in
            try await self.finalizeHoldingLease(id, trigger: trigger, lease: lease, logger: logger)
        }
    }

    /// Steps 2–4 under `lease`, which is renewed meanwhile: each write only its holder may make
    /// is preceded by `checkHeld`, so a holder that lost the lease stops before it.
    private func finalizeHoldingLease(_ id: JobID, trigger: FinalStatus.Trigger, lease: FinalizerLease, logger: Logger) async throws -> JobView {
        let started = Date()
        let startedClock = ContinuousClock.now
        var lap = startedClock
        var timings = StepTimings(startedAt: Timestamp.format(started))
        // Read again: another invocation may have finished while this one waited for the lease.
        var state = try await read(id)
        if trigger.isDeadline || state.cancelRequestedAt != nil {
            // Stop dispatching before reading the counts: otherwise items recorded while the
            // output is built keep arriving after the counts were taken.
            try await pauseJobQueue(state, logger: logger)
            state = try await read(id)
        }
        if Self.isDone(state.record) { return view(state) }

        if state.finalizedAt == nil {
            state = try await record(state, trigger: trigger, lease: lease, logger: logger)
            timings.add("output_csv", ContinuousClock.now - lap)
            lap = .now
        }
        try await deleteJobQueue(state.record, logger: logger)
        timings.add("delete_queue", ContinuousClock.now - lap)
        lap = .now
        if let url = state.webhookURL, state.webhookDeliveredAt == nil {
            try lease.checkHeld()
            try await sendWebhook(try view(state).encoded(), job: id, to: url, logger: logger)
            // The send may have outlived the lease (cancelled by its loss, or not cancellable in time).
            try lease.checkHeld()
            let delivered = JobRecord.Update(webhookDeliveredAt: Timestamp.format(Date()))
            try await jobs.update(id, delivered)
            delivered.apply(to: &state.record)
            logger.debug("webhook delivered")
            timings.add("webhook", ContinuousClock.now - lap)
        }
        try await recordTimings(timings, job: state.record, total: ContinuousClock.now - startedClock, logger: logger)
        return view(state)
    }

    /// Decides the final status, writes the output CSV and records both on the job.
    private func record(_ state: JobState, trigger: FinalStatus.Trigger, lease: FinalizerLease, logger: Logger) async throws -> JobState {
        var state = state
        let id = state.id
        let (status, missing) = try FinalStatus.decide(state, trigger: trigger, now: Date())
        var update = JobRecord.Update(status: status)
        var counts = JobRecord.FinalCounts(succeeded: state.succeeded, failed: state.failed, missing: missing ?? 0)
        if status != .rejected {
            let name = PipelineNames.outputCSV(job: id)
            let builder = OutputCSVBuilder(
                storage: clients.storage, limits: configuration.pipeline.csvLimits, bucket: configuration.pipeline.processedBucket, name: name,
                resultsName: PipelineNames.resultsNDJSON(job: id), unrecorded: status == .cancelled ? .cancelled : .missing
            )
            let jobs = jobs
            let output = try await builder.write(job: state.record) { jobs.items(id) }
            update.outputCSV = name
            update.resultsNDJSON = builder.resultsName
            update.nearDuplicates = NearDuplicate.find(in: output.tally.candidates, threshold: configuration.nearDuplicateDistance)
            // The counts the output CSV shows: every item it was built from, read once; the
            // rest of the total is missing (timed out) or cancelled, whatever is recorded later.
            let recorded = output.tally.succeeded + output.tally.failed
            let unrecorded = max(0, state.total - recorded)
            counts = .init(
                succeeded: output.tally.succeeded, failed: output.tally.failed,
                missing: missing == nil ? 0 : unrecorded, cancelled: status == .cancelled ? unrecorded : 0
            )
            if !output.fromSource {
                logger.warning("source CSV gone; output CSV rebuilt from the items", metadata: ["pixelpipe.object": .string(state.source.uri)])
            }
            logger.debug("output CSV and results written", metadata: [
                "pixelpipe.object": .string(name), "pixelpipe.rows": .stringConvertible(output.rows), "pixelpipe.bytes": .stringConvertible(output.bytes),
                "pixelpipe.result_lines": .stringConvertible(output.resultLines),
            ])
        }
        if missing != nil {
            update.missing = counts.missing
        }
        update.finalCounts = counts
        update.finalizedAt = Timestamp.format(Date())
        try lease.checkHeld()
        do {
            try await jobs.update(id, update, ifUpdatedAt: state.updateTime)
        } catch let error as GoogleAPIError where error.isPreconditionFailed {
            throw TeardownError.jobChanged(id)
        }
        update.apply(to: &state.record)
        logger.debug("job finalized", metadata: ["pixelpipe.status": .string(status.rawValue)])
        return state
    }

    /// Whether `job` is still progressing at its deadline: it recorded an item less than
    /// `stallTimeout` ago, or its queue still holds tasks (being dispatched or waiting out a
    /// source's outage — they leave the queue once it gives up on them). The second covers the
    /// time nothing could be delivered (the emulator stopped, a full disk) without counting it
    /// as a stall. An incomplete job with neither is stalled, and is timed out.
    private func isProgressing(_ job: JobState) async throws -> Bool {
        guard !job.status.isFinal, !job.isComplete, job.cancelRequestedAt == nil else { return false }
        if Self.recordedRecently(job, now: Date(), stallTimeout: configuration.stallTimeout) { return true }
        do {
            return !(try await clients.tasks.listTasks(queue: PipelineNames.imageQueue(job: job.id, run: job.run ?? 0), pageSize: 1)).isEmpty
        } catch let error as GoogleAPIError where error.isNotFound {
            return false
        }
    }

    /// Whether `job` recorded an item (on any counter shard) less than `stallTimeout` before `now`.
    static func recordedRecently(_ job: JobState, now: Date, stallTimeout: Duration) -> Bool {
        guard let last = job.lastItemAt.flatMap(Timestamp.parse) else { return false }
        return now.timeIntervalSince(last) < stallTimeout.timeInterval
    }

    /// Schedules the next watchdog `stallTimeout` from now and records the new deadline on the
    /// job. The next watchdog's number comes from this one's (`watchdog`), so a retry after a
    /// failure in between computes the same task, and a patch that never lands cannot leave
    /// the job without a watchdog.
    private func postpone(_ job: JobState, watchdog: Int, logger: Logger) async throws {
        let deadline = Date().addingTimeInterval(configuration.stallTimeout.timeInterval)
        let number = watchdog + 1
        try await JobLedger(clients: clients, configuration: configuration.pipeline)
            .enqueueTeardown(job: job.id, reason: .deadline, at: deadline, watchdogExtension: number, run: job.run ?? 0, logger: logger)
        try await jobs.update(job.id, .init(deadline: Timestamp.format(deadline), deadlineExtensions: number))
        logger.notice("job still progressing at its deadline; deadline moved on", metadata: [
            "pixelpipe.deadline": .string(Timestamp.format(deadline)), "pixelpipe.remaining": .stringConvertible(job.remaining),
        ])
    }

    private func pauseJobQueue(_ job: JobState, logger: Logger) async throws {
        do {
            _ = try await clients.tasks.pauseQueue(PipelineNames.imageQueue(job: job.id, run: job.run ?? 0))
        } catch let error as GoogleAPIError where error.isNotFound {
            return
        }
    }

    private func deleteJobQueue(_ job: JobRecord, logger: Logger) async throws {
        let queue = PipelineNames.imageQueue(job: job.id, run: job.run ?? 0)
        do {
            try await clients.tasks.deleteQueue(queue)
            logger.debug("job queue deleted", metadata: ["pixelpipe.queue": .string(queue)])
        } catch let error as GoogleAPIError where error.isNotFound {
            return
        }
    }

    private func read(_ id: JobID) async throws -> JobState {
        guard let state = try await jobs.state(id) else {
            throw TeardownError.unknownJob(id)
        }
        return state
    }

    private func view(_ state: JobState) -> JobView {
        JobView(state, links: configuration.pipeline.links, bucket: configuration.pipeline.processedBucket)
    }

    /// Finalized, and the webhook (if the job has one) delivered: nothing is left to do.
    static func isDone(_ job: JobRecord) -> Bool {
        job.finalizedAt != nil && (job.webhookURL == nil || job.webhookDeliveredAt != nil)
    }
}
