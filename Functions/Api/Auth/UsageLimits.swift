import PixelPipeCore

/// What one user may have the pipeline do, so that one account cannot take the pipeline for
/// itself: jobs running at once and images submitted per day (UTC). Admins are not limited.
public struct UsageLimits: Sendable, Equatable {
    /// Jobs of the user that are queued or running (`API_MAX_ACTIVE_JOBS`, default 10).
    public var maxActiveJobs: Int
    /// Images the user's submissions of one UTC day may hold (`API_MAX_IMAGES_PER_DAY`, default 100,000).
    public var maxImagesPerDay: Int

    public init(maxActiveJobs: Int = 10, maxImagesPerDay: Int = 100_000) {
        self.maxActiveJobs = maxActiveJobs
        self.maxImagesPerDay = maxImagesPerDay
    }

    /// Reads `API_MAX_ACTIVE_JOBS` and `API_MAX_IMAGES_PER_DAY`.
    public init(environment: EnvironmentValues) throws(ConfigurationError) {
        self.init(
            maxActiveJobs: try environment.integer("API_MAX_ACTIVE_JOBS", default: 10, in: 1...100_000),
            maxImagesPerDay: try environment.integer("API_MAX_IMAGES_PER_DAY", default: 100_000, in: 1...1_000_000_000)
        )
    }
}
