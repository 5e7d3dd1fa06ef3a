/// The last few hundred outbound invocations (trigger events, pushes, task dispatches), for the
/// dashboard.
actor RecentDeliveries {
    struct Entry: Sendable {
        var kind: String
        var target: String
        /// HTTP status; 0 when no response arrived.
        var status: Int
        var latency: Duration
        var at: GoogleTimestamp
    }

    private var entries: [Entry] = []
    private let capacity: Int

    init(capacity: Int = 200) {
        self.capacity = capacity
    }

    func record(kind: String, target: String, status: Int, latency: Duration) {
        entries.append(Entry(kind: kind, target: target, status: status, latency: latency, at: .now()))
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
    }

    /// Newest first.
    func snapshot(limit: Int = 50) -> [Entry] {
        Array(entries.suffix(limit).reversed())
    }
}
