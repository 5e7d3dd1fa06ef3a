import Foundation
import FunctionsFramework
import GoogleCloud
import Logging
import PipelineModel
import PixelPipeCore
import Synchronization

/// A short lease on finalizing one job, the document `jobs/JOB/leases/finalizer`
/// (`FinalizerLeaseRecord`), so that `teardown-JOB`, `watchdog-JOB` and a direct call running
/// at once cannot both send the webhook. Taken by creating the document (precondition
/// `exists=false`); an expired lease is taken over with an `updateTime` precondition, so of two
/// invocations racing for it one wins. A held lease is a transient error: the queue retries
/// once it may have expired.
///
/// Finalizing a large job takes longer than one lease, so the holder renews it while it works
/// (`holding`); a holder that finds its lease taken over stops before touching the job again.
final class FinalizerLease: Sendable {
    let job: JobID
    let holder: String
    let duration: Duration
    private let jobs: JobStore
    /// Renewals replace both; releasing and the next renewal are conditional on the latest
    /// update time, and `checkHeld` compares the latest expiry with the clock.
    private let state: Mutex<State>

    private struct State {
        var updateTime: String?
        var expiresAt: Date
        /// Set once a renewal found the lease taken over, deleted, or expired unrenewed.
        var lost: InvocationError?
    }

    private init(job: JobID, holder: String, duration: Duration, updateTime: String?, expiresAt: Date, jobs: JobStore) {
        self.job = job
        self.holder = holder
        self.duration = duration
        self.jobs = jobs
        state = Mutex(State(updateTime: updateTime, expiresAt: expiresAt))
    }

    /// The lease document's update time after the latest write by this holder.
    var updateTime: String? { state.withLock { $0.updateTime } }

    /// Takes the lease, runs `body` while renewing it every third of `duration`, and releases
    /// it. If a renewal finds the lease taken over or gone, `body` is cancelled and a transient
    /// error is thrown: the invocation fails and the queue's retry finds the new holder's work.
    static func holding<T: Sendable>(
        job: JobID, holder: String, duration: Duration, jobs: JobStore, logger: Logger,
        _ body: @escaping @Sendable (FinalizerLease) async throws -> T
    ) async throws -> T {
        let lease = try await acquire(job: job, holder: holder, duration: duration, jobs: jobs, logger: logger)
        do {
            let value = try await lease.whileRenewing(logger: logger, body)
            await lease.release(logger: logger)
            return value
        } catch {
            await lease.release(logger: logger)
            throw error
        }
    }

    /// Takes the lease for `duration`, or throws a transient error saying when to retry.
    static func acquire(job: JobID, holder: String, duration: Duration, jobs: JobStore, now: Date = Date(), logger: Logger) async throws -> FinalizerLease {
        let expiresAt = now.addingTimeInterval(duration.timeInterval)
        let record = FinalizerLeaseRecord(holder: holder, expiresAt: Timestamp.format(expiresAt))
        do {
            let updateTime = try await jobs.putLease(record, job: job, precondition: .exists(false))
            return FinalizerLease(job: job, holder: holder, duration: duration, updateTime: updateTime, expiresAt: expiresAt, jobs: jobs)
        } catch let error as GoogleAPIError where error.isAlreadyExists || error.isPreconditionFailed {
            // Held or left behind: take it over only once it has expired.
        }
        guard let (lease, current) = try await jobs.lease(job) else {
            // Released between the two calls; the queue's retry will find it free.
            throw InvocationError.transient("the finalizer lease of job \(job) changed hands; retrying", retryAfter: .seconds(1))
        }
        let expiry = Timestamp.parse(lease.expiresAt) ?? .distantPast
        // Our own lease (a retry of the same task whose run died holding it) is ours to take again.
        guard expiry <= now || lease.holder == holder, let current else {
            let wait = max(1, Int(expiry.timeIntervalSince(now).rounded(.up)))
            logger.debug("finalizer lease held", metadata: ["pixelpipe.job": .string(job.rawValue), "pixelpipe.leaseExpiresAt": .string(lease.expiresAt)])
            throw InvocationError.transient("job \(job) is being finalized by another invocation (lease held until \(lease.expiresAt))", retryAfter: .seconds(wait))
        }
        do {
            let updateTime = try await jobs.putLease(record, job: job, precondition: .updateTime(current))
            logger.debug("expired finalizer lease taken over", metadata: ["pixelpipe.job": .string(job.rawValue)])
            return FinalizerLease(job: job, holder: holder, duration: duration, updateTime: updateTime, expiresAt: expiresAt, jobs: jobs)
        } catch let error as GoogleAPIError where error.isPreconditionFailed || error.isNotFound {
            throw InvocationError.transient("another invocation took over the finalizer lease of job \(job)", retryAfter: .seconds(1))
        }
    }

    /// Throws the loss if a renewal found the lease gone, or if it has expired by this clock
    /// (renewals kept failing). Called before each write that only the holder may make: a
    /// cancelled body may still be between two awaits when the loss is found.
    func checkHeld(now: Date = Date()) throws {
        let (lost, expiresAt) = state.withLock { ($0.lost, $0.expiresAt) }
        if let lost { throw lost }
        if expiresAt <= now {
            throw InvocationError.transient("the finalizer lease of job \(job) expired before it could be renewed", retryAfter: .seconds(1))
        }
    }

    /// Runs `body` next to the renewal loop. The loop ends only by throwing (the lease lost) or
    /// by being cancelled once `body` has returned; whichever throws first decides the error,
    /// and the other task is cancelled with the group.
    private func whileRenewing<T: Sendable>(logger: Logger, _ body: @escaping @Sendable (FinalizerLease) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body(self) }
            group.addTask {
                try await self.renewUntilCancelled(logger: logger)
                return nil
            }
            defer { group.cancelAll() }
            while let outcome = try await group.next() {
                if let value = outcome { return value }
            }
            // Not reached: the renewal loop only throws, and the body returns a value or throws.
            throw CancellationError()
        }
    }

    /// Renews every third of the lease, so that two renewals may fail (a transient Firestore
    /// error, retried at the next tick) before the lease expires.
    private func renewUntilCancelled(logger: Logger) async throws {
        let interval = duration / 3
        while true {
            try await Task.sleep(for: interval)
            // Not cancelled with the loop: a write cut short might still land, and its unknown
            // update time would make the release fail and leave the lease until it expires.
            try await Task { try await self.renew(logger: logger) }.value
        }
    }

    /// Extends `expiresAt` by a full lease, conditional on the latest update time.
    private func renew(now: Date = Date(), logger: Logger) async throws {
        let expiresAt = now.addingTimeInterval(duration.timeInterval)
        let record = FinalizerLeaseRecord(holder: holder, expiresAt: Timestamp.format(expiresAt))
        let current = updateTime
        do {
            let updateTime = try await jobs.putLease(record, job: job, precondition: current.map { .updateTime($0) } ?? .exists(true))
            state.withLock {
                $0.updateTime = updateTime
                $0.expiresAt = expiresAt
            }
        } catch let error as GoogleAPIError where error.isPreconditionFailed || error.isNotFound {
            try lose(InvocationError.transient("job \(job) lost its finalizer lease to another invocation; its retry will find that one's work", retryAfter: .seconds(1)), logger: logger)
        } catch let error as GoogleAPIError where error.isTransient {
            // Retried at the next tick, as long as the lease has not run out meanwhile.
            logger.debug("finalizer lease not renewed; retrying", metadata: ["pixelpipe.job": .string(job.rawValue), "pixelpipe.error": "\(error)"])
            do {
                try checkHeld()
            } catch let expired as InvocationError {
                try lose(expired, logger: logger)
            }
        }
    }

    private func lose(_ error: InvocationError, logger: Logger) throws -> Never {
        state.withLock { $0.lost = error }
        logger.notice("finalizer lease lost; finalization stopped", metadata: ["pixelpipe.job": .string(job.rawValue)])
        throw error
    }

    /// Gives the lease up, unless it has been taken over meanwhile. Failing to release only
    /// delays the next finalization until the lease expires, so errors are logged, not thrown.
    func release(logger: Logger) async {
        // A lost lease is the new holder's document now; the conditional delete would fail anyway.
        guard !state.withLock({ $0.lost != nil }) else { return }
        do {
            try await jobs.deleteLease(job, ifUpdatedAt: updateTime)
        } catch {
            logger.debug("finalizer lease not released", metadata: ["pixelpipe.job": .string(job.rawValue), "pixelpipe.error": "\(error)"])
        }
    }
}
