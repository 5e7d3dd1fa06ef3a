import GoogleCloud

/// A snapshot as Pub/Sub's REST API shows it: the subscription's unacknowledged messages at
/// creation, and every message published to its topic since, until `expireTime`.
struct PubSubSnapshot: Codable, Sendable {
    var name: String?
    var topic: String?
    var expireTime: GoogleTimestamp?
    var labels: [String: String]?
}

/// `PUT …/snapshots/N` body.
struct CreateSnapshotRequest: Decodable, Sendable {
    var subscription: String?
    var labels: [String: String]?
}

/// `PATCH …/snapshots/N` body.
struct UpdateSnapshotRequest: Decodable, Sendable {
    var snapshot: PubSubSnapshot
    var updateMask: String?
}

/// `GET …/snapshots` response.
struct ListSnapshotsResponse: Encodable, Sendable {
    var snapshots: [PubSubSnapshot]
    var nextPageToken: String?
}

/// `GET …/topics/T/snapshots` response.
struct ListTopicSnapshotsResponse: Encodable, Sendable {
    var snapshots: [String]
}
