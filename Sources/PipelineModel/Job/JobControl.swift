import Foundation
import FunctionsFramework
import GoogleCloud
import Logging
import PixelPipeCore

/// Cancelling and retrying jobs, for the jobs API: built from what the stages already have
/// (the clients and the pipeline's configuration), and safe to call concurrently and repeatedly.
///
/// - `cancel` marks the job (`cancelRequestedAt`), pauses its image queue and schedules
///   `cancel-JOB` on the control queue: process starts no image of a job marked so, and
///   teardown finalizes it as `cancelled` at once, its unrecorded items reported as cancelled.
/// - `retry` runs a finalized job's failed, missing and cancelled images again as a new run
///   (see `JobControl+Retry.swift`).
public struct JobControl: Sendable {
    let clients: PipelineClients
    let configuration: PipelineConfiguration
    let jobs: JobStore
    let ledger: JobLedger
    let now: @Sendable () -> Date
    /// Whether the cancel's and retry's tasks carry the job's trace (`PIXELPIPE_TRACING`).
    let tracing: TracingConfiguration
    /// How long the retry's hold on the finalizer lease lasts between renewals.
    var leaseDuration: Duration = .seconds(120)
    /// Called after each commit that uncounts a batch of failed items (tests check the counts there).
    var afterUncount: (@Sendable () async throws -> Void)?

    /// A job control over `clients`, with the pipeline's names and queue settings from `configuration`;
    /// with `tracing` off, the tasks it creates carry no trace.
    public init(
        clients: PipelineClients, configuration: PipelineConfiguration, tracing: TracingConfiguration = TracingConfiguration(),
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.clients = clients
        self.configuration = configuration
        self.jobs = JobStore(firestore: clients.firestore)
        self.ledger = JobLedger(clients: clients, configuration: configuration)
        self.tracing = tracing
        self.now = now
    }

    /// The span work on `record` runs in: a new one in the job's trace, else the current one;
    /// none with tracing off.
    func span(for record: JobRecord) -> TraceParent? {
        guard tracing.enabled else { return nil }
        return record.newSpan ?? TraceParent.current
    }

    /// Requests the cancel of `job` and returns its document with `cancelRequestedAt` set.
    /// Idempotent: a job already being cancelled, or finalized as `cancelled`, is returned as it
    /// is (its queue paused and its `cancel-JOB` task ensured again while it runs). A job
    /// finalized with any other status is `JobControlError.alreadyFinal`; an unknown one
    /// `JobControlError.unknownJob`.
    @discardableResult
    public func cancel(_ job: JobID, logger: Logger = Logger(label: "pixelpipe.jobs")) async throws -> JobRecord {
        var logger = logger
        logger[metadataKey: "pixelpipe.job"] = .string(job.rawValue)
        while true {
            guard let (record, updateTime) = try await jobs.record(job) else { throw JobControlError.unknownJob(job) }
            if record.status == .cancelled { return record }
            if record.status.isFinal { throw JobControlError.alreadyFinal(job: job, status: record.status) }
            var marked = record
            if record.cancelRequestedAt == nil {
                let update = JobRecord.Update(cancelRequestedAt: Timestamp.format(now()))
                do {
                    // Conditional on the job as read: teardown's final write is conditional too,
                    // so either the cancel lands first (and teardown, retried, finalizes
                    // `cancelled`) or the job is final and this reads it again.
                    try await jobs.update(job, update, ifUpdatedAt: updateTime)
                } catch let error as GoogleAPIError where error.isPreconditionFailed {
                    continue
                }
                update.apply(to: &marked)
                logger.notice("job cancel requested")
            }
            let run = marked.run ?? 0
            // In the job's trace, so the cancel's teardown joins it.
            let span = span(for: marked)
            try await TraceParent.withCurrent(span) {
                try await pauseQueue(PipelineNames.imageQueue(job: job, run: run))
                try await ledger.enqueueTeardown(job: job, reason: .cancel, run: run, logger: span.map(logger.tracing) ?? logger)
            }
            return marked
        }
    }

    /// Pauses an image queue, so nothing more is dispatched from it (already gone is fine).
    func pauseQueue(_ queue: String) async throws {
        do {
            _ = try await clients.tasks.pauseQueue(queue)
        } catch let error as GoogleAPIError where error.isNotFound {
            return
        }
    }
}
