/// A location as `GET /v2/projects/P/locations` lists it (`google.cloud.location.Location`).
struct TasksLocation: Codable, Sendable {
    var name: String
    var locationId: String
    var displayName: String?

    /// What the emulator offers: Cloud Tasks' usual regions; any other valid location id works
    /// too, and the ones that hold queues are listed besides these.
    static let known = ["us-central1", "us-east1", "us-west1", "europe-west1", "europe-west3", "asia-northeast1"]
}

/// `GET /v2/projects/P/locations` response.
struct ListLocationsResponse: Encodable, Sendable {
    var locations: [TasksLocation]
}
