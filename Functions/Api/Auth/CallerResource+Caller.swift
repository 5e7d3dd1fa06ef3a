import PipelineModel

extension CallerResource {
    /// `caller` with their limits (none for an admin) and usage.
    init(_ caller: Caller, limits: UsageLimits, usage: Usage) {
        self.init(
            uid: caller.uid, email: caller.email, admin: caller.isAdmin, kind: caller.kind.rawValue,
            limits: caller.isAdmin ? nil : Limits(maxActiveJobs: limits.maxActiveJobs, maxImagesPerDay: limits.maxImagesPerDay),
            usage: usage
        )
    }
}
