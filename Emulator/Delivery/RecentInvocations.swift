import Foundation

/// One dispatch or push delivery, as the dashboard lists it.
struct Invocation: Sendable, Equatable {
    /// Which loop made it.
    enum Kind: String, Sendable {
        case task, push, trigger
    }

    var kind: Kind
    /// The queue or subscription, by full name.
    var source: String
    /// The task name or message id.
    var item: String
    /// The URL requested.
    var target: String
    /// HTTP status; nil when no response came.
    var status: Int?
    /// From sending the request to the answer (or the failure).
    var latency: Duration
    /// When it finished, wall-clock microseconds since the epoch.
    var timeMicroseconds: Int64
}

/// The last `capacity` invocations, kept in memory only (they are for watching, not for replay).
actor RecentInvocations {
    private var ring: [Invocation] = []
    private var next = 0
    let capacity: Int

    /// An empty list keeping at most `capacity` entries.
    init(capacity: Int = 200) {
        self.capacity = max(1, capacity)
    }

    /// Adds `invocation`, dropping the oldest once `capacity` is reached.
    func record(_ invocation: Invocation) {
        if ring.count < capacity {
            ring.append(invocation)
        } else {
            ring[next] = invocation
        }
        next = (next + 1) % capacity
    }

    /// Up to `limit` invocations, newest first.
    func snapshot(limit: Int = 50) -> [Invocation] {
        guard !ring.isEmpty else { return [] }
        var result: [Invocation] = []
        var index = (next - 1 + ring.count) % ring.count
        while result.count < min(limit, ring.count) {
            result.append(ring[index])
            index = (index - 1 + ring.count) % ring.count
        }
        return result
    }
}
