/// The finalizer lease document `jobs/JOB/leases/finalizer`: who finalizes the job and until
/// when (see teardown's `FinalizerLease`).
public struct FinalizerLeaseRecord: Codable, Sendable, Equatable {
    /// The invocation holding it (a task name, or a direct call's invocation id).
    public var holder: String
    /// RFC 3339; after it another invocation may take the lease over.
    public var expiresAt: String

    public init(holder: String, expiresAt: String) {
        self.holder = holder
        self.expiresAt = expiresAt
    }
}
