import Foundation
import GoogleCloud

/// The state of the accounts behind recent tokens — deleted, disabled, tokens revoked — looked
/// up through Identity Toolkit and trusted for `interval`, so a busy user costs one lookup per
/// interval while a deleted or revoked account loses access within it. Concurrent requests of
/// one user share a lookup.
actor AccountStates {
    private struct Entry {
        var account: IdentityAccountsClient.Account?
        var fetchedAt: ContinuousClock.Instant
    }

    private let client: IdentityAccountsClient
    private let interval: Duration
    private var entries: [String: Entry] = [:]
    private var inFlight: [String: Task<IdentityAccountsClient.Account?, any Error>] = [:]

    init(client: IdentityAccountsClient, interval: Duration) {
        self.client = client
        self.interval = interval
    }

    /// The account `uid` (nil when deleted), from the cache when fresh.
    func account(uid: String) async throws -> IdentityAccountsClient.Account? {
        if let entry = entries[uid], ContinuousClock.now - entry.fetchedAt < interval { return entry.account }
        if let task = inFlight[uid] { return try await task.value }
        let client = self.client
        let task = Task { try await client.account(uid: uid) }
        inFlight[uid] = task
        defer { inFlight[uid] = nil }
        let account = try await task.value
        if interval > .zero {
            // Bounded: at most one entry per recent user; stale ones go when the map grows.
            if entries.count >= 10_000 { entries = entries.filter { ContinuousClock.now - $0.value.fetchedAt < interval } }
            entries[uid] = Entry(account: account, fetchedAt: .now)
        }
        return account
    }
}
