/// `GET /v1/me`: who the token identifies, their per-user limits and what they use of them now.
public struct CallerResource: Codable, Sendable, Equatable {
    /// The per-user limits.
    public struct Limits: Codable, Sendable, Equatable {
        public var maxActiveJobs: Int
        public var maxImagesPerDay: Int

        public init(maxActiveJobs: Int, maxImagesPerDay: Int) {
            self.maxActiveJobs = maxActiveJobs
            self.maxImagesPerDay = maxImagesPerDay
        }
    }

    /// What the caller uses now.
    public struct Usage: Codable, Sendable, Equatable {
        /// Jobs queued or running.
        public var activeJobs: Int
        /// Images submitted this UTC day.
        public var imagesToday: Int

        public init(activeJobs: Int, imagesToday: Int) {
            self.activeJobs = activeJobs
            self.imagesToday = imagesToday
        }
    }

    public var uid: String
    public var email: String?
    /// The custom claim `admin`: sees and acts on every job, and is not limited.
    public var admin: Bool
    /// `user` or `serviceAccount`.
    public var kind: String
    /// Absent for admins.
    public var limits: Limits?
    public var usage: Usage

    public init(uid: String, email: String?, admin: Bool, kind: String, limits: Limits?, usage: Usage) {
        self.uid = uid
        self.email = email
        self.admin = admin
        self.kind = kind
        self.limits = limits
        self.usage = usage
    }
}
