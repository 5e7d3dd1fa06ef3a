import Foundation
import FunctionsFramework
import GoogleCloud
import Logging
import PipelineModel
import PixelPipeCore

/// A short lease on finalizing one job, the document `jobs/JOB/leases/finalizer`
/// (`FinalizerLeaseRecord`), so that `teardown-JOB`, `watchdog-JOB` and a direct call running
/// at once cannot both send the webhook. Taken by creating the document (precondition
/// `exists=false`); an expired lease is taken over with an `updateTime` precondition, so of two
/// invocations racing for it one wins. A held lease is a transient error: the queue retries
/// once it may have expired.
struct FinalizerLease: Sendable {
    let job: JobID
    /// The lease document's update time after it was taken: releasing is conditional on it, so
    /// a holder whose lease expired and was taken over does not delete the new holder's.
    let updateTime: String?
    private let jobs: JobStore

    private init(job: JobID, updateTime: String?, jobs: JobStore) {
        self.job = job
        self.updateTime = updateTime
        self.jobs = jobs
    }

    /// Takes the lease for `duration`, or throws a transient error saying when to retry.
    static func acquire(job: JobID, holder: String, duration: Duration, jobs: JobStore, now: Date = Date(), logger: Logger) async throws -> FinalizerLease {
        let record = FinalizerLeaseRecord(holder: holder, expiresAt: Timestamp.format(now.addingTimeInterval(duration.timeInterval)))
        do {
            let updateTime = try await jobs.putLease(record, job: job, precondition: .exists(false))
            return FinalizerLease(job: job, updateTime: updateTime, jobs: jobs)
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
            return FinalizerLease(job: job, updateTime: updateTime, jobs: jobs)
        } catch let error as GoogleAPIError where error.isPreconditionFailed || error.isNotFound {
            throw InvocationError.transient("another invocation took over the finalizer lease of job \(job)", retryAfter: .seconds(1))
        }
    }

    /// Gives the lease up, unless it has been taken over meanwhile. Failing to release only
    /// delays the next finalization until the lease expires, so errors are logged, not thrown.
    func release(logger: Logger) async {
        do {
            try await jobs.deleteLease(job, ifUpdatedAt: updateTime)
        } catch {
            logger.debug("finalizer lease not released", metadata: ["pixelpipe.job": .string(job.rawValue), "pixelpipe.error": "\(error)"])
        }
    }
}
