import Foundation
import GoogleCloud
import Logging

/// Exactly-once accounting on at-least-once delivery (ARCHITECTURE §5): an item document is
/// created with precondition `exists=false` in the same commit as its counter shard's
/// increments, so a repeated task or shard counts nothing; the commit's transform results say
/// when that shard is complete, and the item that completes a shard reads the others (after its
/// own commit) and, when every shard is complete, enqueues `teardown-JOB`. Of the shards'
/// completing commits one is last, and it sees all the others, so the job's teardown is
/// enqueued at least once; the task name makes it at most once.
public struct JobLedger: Sendable {
    /// What recording an item did.
    public enum Outcome: Sendable, Equatable {
        /// The item was created and counted; its counter shard still expects `shardRemaining`.
        case recorded(shardRemaining: Int)
        /// The item already existed (a repeated delivery); nothing was counted.
        case alreadyRecorded
    }

    let store: JobStore
    let tasks: CloudTasksClient
    let configuration: PipelineConfiguration
    private let clients: PipelineClients

    public init(clients: PipelineClients, configuration: PipelineConfiguration) {
        self.clients = clients
        self.store = JobStore(firestore: clients.firestore)
        self.tasks = clients.tasks
        self.configuration = configuration
    }

    /// Records `item` of `job` on counter shard `shard` and counts it once; when that completes
    /// the job (also when this was a repeat, in case the first recorder crashed before
    /// enqueuing), enqueues its teardown.
    @discardableResult
    public func record(_ item: ItemRecord, job: JobID, shard: Int, logger: Logger) async throws -> Outcome {
        try await record([item], job: job, shard: shard, logger: logger)
    }

    /// Records `items` of `job` together on counter shard `shard` (at most
    /// `JobStore.maxItemsPerCommit`): all of them counted once in one commit, or — when they
    /// were recorded before — none. Callers batch the same items the same way on every
    /// delivery, so a repeat finds each batch whole or absent.
    @discardableResult
    public func record(_ items: [ItemRecord], job: JobID, shard: Int, logger: Logger) async throws -> Outcome {
        switch try await store.commit(items, job: job, shard: shard) {
        case .counted(let shardRemaining):
            if shardRemaining <= 0 {
                try await ensureTeardownIfComplete(job: job, logger: logger)
            }
            return .recorded(shardRemaining: shardRemaining)
        case .alreadyRecorded:
            try await ensureTeardownIfComplete(job: job, logger: logger)
            logger.debug("item already recorded", metadata: ["pixelpipe.job": .string(job.rawValue), "pixelpipe.item": .string(items[0].id)])
            return .alreadyRecorded
        case .noCounter:
            guard try await store.record(job) != nil else { throw JobLedgerError.unknownJob(job) }
            throw JobLedgerError.unknownCounter(job: job, shard: shard)
        }
    }

    /// Enqueues `teardown-JOB` when every item of `job` is recorded and the job is not final:
    /// by the item that completed a shard, and by repeats, in case the recorder that completed
    /// the job died before enqueuing it.
    public func ensureTeardownIfComplete(job: JobID, logger: Logger) async throws {
        // A shard still expecting items settles it cheaply; only when none does are all the
        // shards summed against the job's total.
        if try await store.hasIncompleteCounter(job) { return }
        guard let state = try await store.state(job) else {
            throw JobLedgerError.unknownJob(job)
        }
        if state.isComplete, !state.status.isFinal {
            try await enqueueTeardown(job: job, reason: .complete, run: state.run ?? 0, logger: logger)
        }
    }

    /// Creates the control task `teardown-JOB` (`watchdog-JOB` for `.deadline`, scheduled at
    /// `at`; `cancel-JOB` for `.cancel`), with `-rN` for run `run` of a retried job; a task of
    /// that name already existing is success.
    /// `watchdogExtension` numbers the watchdog of a deadline that was moved on.
    public func enqueueTeardown(
        job: JobID, reason: TeardownTask.Reason, at scheduleTime: Date? = nil, watchdogExtension: Int = 0, run: Int = 0, logger: Logger
    ) async throws {
        let name = switch reason {
        case .complete: PipelineNames.teardownTask(job: job, run: run)
        case .deadline: PipelineNames.watchdogTask(job: job, extension: watchdogExtension, run: run)
        case .cancel: PipelineNames.cancelTask(job: job, run: run)
        }
        let body = TeardownTask(job: job, reason: reason, watchdog: watchdogExtension == 0 ? nil : watchdogExtension, run: run == 0 ? nil : run)
        let created = try await clients.createTask(
            named: name, queue: configuration.controlQueue, url: try configuration.requireTeardownURL(),
            body: body, at: scheduleTime, configuration: configuration
        )
        if created {
            logger.debug("teardown enqueued", metadata: ["pixelpipe.job": .string(job.rawValue), "pixelpipe.task": .string(name)])
        }
    }
}
