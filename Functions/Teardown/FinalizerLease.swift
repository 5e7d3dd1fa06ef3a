import Foundation
import FunctionsFramework
import GoogleCloud
import Logging
import PipelineModel
import PixelPipeCore

/// A short lease on finalizing one job, the document `jobs/JOB/leases/finalizer`, so that
/// `teardown-JOB`, `watchdog-JOB` and a direct call running at once cannot both send the
/// webhook. Taken by creating the document (precondition `exists=false`); an expired lease is
/// taken over with an `updateTime` precondition, so of two invocations racing for it one wins.
/// A held lease is a transient error: the queue retries once it may have expired.
struct FinalizerLease: Sendable {
    /// The document path of `job`'s lease.
    static func path(job: String) -> String { "jobs/\(job)/leases/finalizer" }

    private struct Fields: Codable {
        var holder: String
        var expiresAt: String
    }

    let job: String
    /// The lease document's update time after it was taken: releasing is conditional on it, so
    /// a holder whose lease expired and was taken over does not delete the new holder's.
    let updateTime: String?
    private let firestore: FirestoreClient

    private init(job: String, updateTime: String?, firestore: FirestoreClient) {
        self.job = job
        self.updateTime = updateTime
        self.firestore = firestore
    }

    /// Takes the lease for `duration`, or throws a transient error saying when to retry.
    static func acquire(job: String, holder: String, duration: Duration, firestore: FirestoreClient, now: Date = Date(), logger: Logger) async throws -> FinalizerLease {
        let path = Self.path(job: job)
        let fields = try FirestoreCoding.fields(from: Fields(holder: holder, expiresAt: Timestamp.format(now.addingTimeInterval(duration.timeInterval))))
        do {
            return try await write(job: job, fields: fields, precondition: .exists(false), firestore: firestore)
        } catch let error as GoogleAPIError where error.isAlreadyExists || error.isPreconditionFailed {
            // Held or left behind: take it over only once it has expired.
        }
        guard let current = try await firestore.document(path) else {
            // Released between the two calls; the queue's retry will find it free.
            throw InvocationError.transient("the finalizer lease of job \(job) changed hands; retrying", retryAfter: .seconds(1))
        }
        let lease = try current.decode(Fields.self)
        let expiry = Timestamp.parse(lease.expiresAt) ?? .distantPast
        // Our own lease (a retry of the same task whose run died holding it) is ours to take again.
        guard expiry <= now || lease.holder == holder, let updateTime = current.updateTime else {
            let wait = max(1, Int(expiry.timeIntervalSince(now).rounded(.up)))
            logger.debug("finalizer lease held", metadata: ["pixelpipe.job": .string(job), "pixelpipe.leaseExpiresAt": .string(lease.expiresAt)])
            throw InvocationError.transient("job \(job) is being finalized by another invocation (lease held until \(lease.expiresAt))", retryAfter: .seconds(wait))
        }
        do {
            let taken = try await write(job: job, fields: fields, precondition: .updateTime(updateTime), firestore: firestore)
            logger.debug("expired finalizer lease taken over", metadata: ["pixelpipe.job": .string(job)])
            return taken
        } catch let error as GoogleAPIError where error.isPreconditionFailed || error.isNotFound {
            throw InvocationError.transient("another invocation took over the finalizer lease of job \(job)", retryAfter: .seconds(1))
        }
    }

    private static func write(job: String, fields: [String: FirestoreValue], precondition: FirestoreWrite.Precondition, firestore: FirestoreClient) async throws -> FinalizerLease {
        let result = try await firestore.commit([FirestoreWrite(.update(path: path(job: job), fields: fields, mask: nil), precondition: precondition)])
        return FinalizerLease(job: job, updateTime: result.writeResults?.first?.updateTime, firestore: firestore)
    }

    /// Gives the lease up, unless it has been taken over meanwhile. Failing to release only
    /// delays the next finalization until the lease expires, so errors are logged, not thrown.
    func release(logger: Logger) async {
        let write = FirestoreWrite(.delete(path: Self.path(job: job)), precondition: updateTime.map { .updateTime($0) } ?? .exists(true))
        do {
            _ = try await firestore.commit([write])
        } catch {
            logger.debug("finalizer lease not released", metadata: ["pixelpipe.job": .string(job), "pixelpipe.error": "\(error)"])
        }
    }
}
