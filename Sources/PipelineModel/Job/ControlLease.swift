import Foundation
import GoogleCloud
import PixelPipeCore

/// A retry's hold on the job's finalizer lease (`jobs/JOB/leases/finalizer`, the document
/// teardown takes): while a retry removes items and re-arms the job, no teardown finalizes it
/// and no other retry runs. Taken like teardown takes it (create with `exists=false`, an
/// expired one taken over on its update time), renewed between batches rather than on a timer,
/// since the retry's work is a sequence of short steps.
struct ControlLease {
    let job: JobID
    let holder: String
    let duration: Duration
    let jobs: JobStore
    let now: @Sendable () -> Date
    private var updateTime: String?
    private var renewedAt: Date

    /// Takes the lease for `holder`, or throws `JobControlError.busy` naming its holder.
    init(job: JobID, holder: String, duration: Duration, jobs: JobStore, now: @escaping @Sendable () -> Date) async throws {
        self.job = job
        self.holder = holder
        self.duration = duration
        self.jobs = jobs
        self.now = now
        renewedAt = now()
        let lease = FinalizerLeaseRecord(holder: holder, expiresAt: Timestamp.format(renewedAt.addingTimeInterval(duration.timeInterval)))
        do {
            if let (current, currentTime) = try await jobs.lease(job) {
                guard let expiry = Timestamp.parse(current.expiresAt), expiry <= renewedAt else {
                    throw JobControlError.busy(job: job, holder: current.holder, until: current.expiresAt)
                }
                updateTime = try await jobs.putLease(lease, job: job, precondition: currentTime.map { .updateTime($0) } ?? .exists(true))
            } else {
                updateTime = try await jobs.putLease(lease, job: job, precondition: .exists(false))
            }
        } catch let error as GoogleAPIError where error.isAlreadyExists || error.isPreconditionFailed || error.isNotFound {
            throw JobControlError.busy(job: job, holder: "another invocation", until: "it finishes")
        }
    }

    /// Writes a new expiry once a third of the lease has passed, on condition that the lease is
    /// still this holder's last write; `JobControlError.leaseLost` otherwise.
    mutating func renewIfDue() async throws {
        let time = now()
        guard time.timeIntervalSince(renewedAt) >= duration.timeInterval / 3 else { return }
        let lease = FinalizerLeaseRecord(holder: holder, expiresAt: Timestamp.format(time.addingTimeInterval(duration.timeInterval)))
        do {
            updateTime = try await jobs.putLease(lease, job: job, precondition: updateTime.map { .updateTime($0) } ?? .exists(true))
            renewedAt = time
        } catch let error as GoogleAPIError where error.isPreconditionFailed || error.isNotFound {
            throw JobControlError.leaseLost(job)
        }
    }

    /// Deletes the lease if it is still this holder's (a lost one is left to its new holder).
    func release() async {
        try? await jobs.deleteLease(job, ifUpdatedAt: updateTime)
    }
}
