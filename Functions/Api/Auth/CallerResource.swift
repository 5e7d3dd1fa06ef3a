/// `GET /v1/me`: who the token identifies, their limits and what they have used.
struct CallerResource: Codable, Sendable, Equatable {
    struct Limits: Codable, Sendable, Equatable {
        var maxActiveJobs: Int
        var maxImagesPerDay: Int
    }

    var uid: String
    var email: String?
    var admin: Bool
    /// `user` or `serviceAccount`.
    var kind: String
    /// Absent for admins, who are not limited.
    var limits: Limits?
    var usage: UsageLedger.Usage

    init(_ caller: Caller, limits: UsageLimits, usage: UsageLedger.Usage) {
        uid = caller.uid
        email = caller.email
        admin = caller.isAdmin
        kind = caller.kind.rawValue
        self.limits = caller.isAdmin ? nil : Limits(maxActiveJobs: limits.maxActiveJobs, maxImagesPerDay: limits.maxImagesPerDay)
        self.usage = usage
    }
}
