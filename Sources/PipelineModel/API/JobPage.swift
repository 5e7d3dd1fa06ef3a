/// One page of `GET /v1/jobs`: jobs newest first, and the token of the next page when there is one.
public struct JobPage: Codable, Sendable, Equatable {
    public var jobs: [JobResource]
    /// Pass as `pageToken` to read the next page; absent on the last page.
    public var nextPageToken: String?

    /// A page.
    public init(jobs: [JobResource], nextPageToken: String? = nil) {
        self.jobs = jobs
        self.nextPageToken = nextPageToken
    }
}
