/// One page of `GET /v1/jobs/{id}/items`: items in row order, and the token of the next page
/// when there is one.
public struct ItemPage: Codable, Sendable, Equatable {
    public var items: [ItemResource]
    /// Pass as `pageToken` to read the next page; absent on the last page.
    public var nextPageToken: String?

    /// A page.
    public init(items: [ItemResource], nextPageToken: String? = nil) {
        self.items = items
        self.nextPageToken = nextPageToken
    }
}
