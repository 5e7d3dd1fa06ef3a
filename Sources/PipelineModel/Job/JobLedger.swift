import Foundation
import GoogleCloud
import Logging

/// Exactly-once accounting on at-least-once delivery (ARCHITECTURE §5): an item document is
/// created with precondition `exists=false` in the same commit as the job's counter
/// increments, so a repeated task or shard counts nothing; the commit's transform results say
/// when the job is complete, and the item that completes it enqueues `teardown-JOB`.
public struct JobLedger: Sendable {
    /// What recording an item did.
    public enum Outcome: Sendable, Equatable {
        /// The item was created and counted; `remaining` items are still to come.
        case recorded(remaining: Int)
        /// The item already existed (a repeated delivery); nothing was counted.
        case alreadyRecorded
    }

    public let clients: PipelineClients
    public let configuration: PipelineConfiguration

    public init(clients: PipelineClients, configuration: PipelineConfiguration) {
        self.clients = clients
        self.configuration = configuration
    }

    /// Records `item` of `job` and counts it once; when the job is complete (also when this was
    /// a repeat, in case the first recorder crashed before enqueuing), enqueues its teardown.
    @discardableResult
    public func record(_ item: ItemRecord, job: String, logger: Logger) async throws -> Outcome {
        let succeeded: Int64 = item.status == .succeeded ? 1 : 0
        let writes = [
            FirestoreWrite(
                .update(path: PipelineNames.itemDocument(job: job, row: item.row, index: item.index), fields: try FirestoreCoding.fields(from: item), mask: nil),
                precondition: .exists(false)
            ),
            FirestoreWrite(
                .update(path: PipelineNames.jobDocument(job: job), fields: ["lastItemAt": .string(item.recordedAt)], mask: ["lastItemAt"]),
                precondition: .exists(true),
                increments: [("succeeded", .integer(succeeded)), ("failed", .integer(1 - succeeded)), ("remaining", .integer(-1))]
            ),
        ]
        do {
            let result = try await clients.firestore.commit(writes)
            guard let results = result.writeResults, results.count == 2, let transforms = results[1].transformResults, transforms.count == 3,
                  case .integer(let remaining) = transforms[2] else {
                throw JobLedgerError.unexpectedCommitResult(job: job, item: item.id)
            }
            if remaining <= 0 {
                try await enqueueTeardown(job: job, reason: .complete, logger: logger)
            }
            return .recorded(remaining: Int(remaining))
        } catch let error as GoogleAPIError where error.isAlreadyExists || error.isPreconditionFailed || error.isNotFound {
            // Either the item exists (a repeat) or the job document is gone (`exists=true` failed).
            try await ensureTeardownIfComplete(job: job, logger: logger)
            logger.debug("item already recorded", metadata: ["pixelpipe.job": .string(job), "pixelpipe.item": .string(item.id)])
            return .alreadyRecorded
        }
    }

    /// Enqueues `teardown-JOB` when every item of `job` is recorded and the job is not final:
    /// for repeats, in case the recorder that completed the job died before enqueuing it.
    public func ensureTeardownIfComplete(job: String, logger: Logger) async throws {
        guard let document = try await clients.firestore.document(PipelineNames.jobDocument(job: job)) else {
            throw JobLedgerError.unknownJob(job)
        }
        let record = try document.decode(JobRecord.self)
        if record.isComplete, !record.status.isFinal {
            try await enqueueTeardown(job: job, reason: .complete, logger: logger)
        }
    }

    /// Creates the control task `teardown-JOB` (or `watchdog-JOB` for `.deadline`, scheduled at
    /// `at`); a task of that name already existing is success.
    /// `watchdogExtension` numbers the watchdog of a deadline that was moved on.
    public func enqueueTeardown(job: String, reason: TeardownTask.Reason, at scheduleTime: Date? = nil, watchdogExtension: Int = 0, logger: Logger) async throws {
        let name = reason == .complete ? PipelineNames.teardownTask(job: job) : PipelineNames.watchdogTask(job: job, extension: watchdogExtension)
        let created = try await clients.createTask(
            named: name, queue: configuration.controlQueue, url: try configuration.requireTeardownURL(),
            body: TeardownTask(job: job, reason: reason, watchdog: watchdogExtension == 0 ? nil : watchdogExtension), at: scheduleTime, configuration: configuration
        )
        if created {
            logger.debug("teardown enqueued", metadata: ["pixelpipe.job": .string(job), "pixelpipe.task": .string(name)])
        }
    }
}
