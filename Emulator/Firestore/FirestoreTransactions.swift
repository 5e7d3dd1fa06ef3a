import Foundation
import GoogleCloud
import Synchronization

/// The open transactions of `:beginTransaction`, kept in memory. A transaction lives for a
/// client's read-modify-write loop (Firestore allows it 270 s at most): recording its reads in
/// SQLite would cost a durable write per read. An emulator restart ends the open ones; their
/// commits are refused as Firestore refuses an expired transaction (400).
/// A read-write transaction records each document it reads with the update time it saw (nil
/// when missing); its commit applies only if none of them changed since (optimistic
/// concurrency, as Firestore databases in OPTIMISTIC mode do), otherwise 409 `ABORTED`.
final class FirestoreTransactions: Sendable {
    /// One open transaction.
    struct Transaction: Sendable {
        var readOnly: Bool
        /// Full document name → update time (microseconds) when first read, nil when missing.
        var reads: [String: Int64?] = [:]
        var began: ContinuousClock.Instant
        var lastUsed: ContinuousClock.Instant
    }

    /// Firestore's limits: a transaction expires 270 s after it began or 60 s after its last use.
    static let maxLifetime = Duration.seconds(270)
    static let maxIdle = Duration.seconds(60)

    private let open = Mutex<[Data: Transaction]>([:])

    init() {}

    /// Begins a transaction; returns its id as the REST API shows it (base64).
    func begin(readOnly: Bool) -> String {
        let now = ContinuousClock.now
        var id = Data(count: 16)
        for index in id.indices { id[index] = UInt8.random(in: 0...255) }
        open.withLock { open in
            open = open.filter { Self.isLive($0.value, at: now) }
            open[id] = Transaction(readOnly: readOnly, began: now, lastUsed: now)
        }
        return id.base64EncodedString()
    }

    /// Notes documents read inside transaction `id`; 400 when it is unknown or ended.
    func recordReads(_ id: String, _ documents: [(name: String, updateTime: GoogleTimestamp?)], member: String) throws {
        let key = try Self.key(id, member: member)
        let now = ContinuousClock.now
        try open.withLock { open in
            guard var transaction = open[key], Self.isLive(transaction, at: now) else { throw Self.unknown(id, member: member) }
            transaction.lastUsed = now
            if !transaction.readOnly {
                for document in documents where transaction.reads[document.name] == nil {
                    transaction.reads[document.name] = .some(document.updateTime?.microseconds)
                }
            }
            open[key] = transaction
        }
    }

    /// Ends transaction `id` (commit or rollback) and returns it; 400 when unknown or ended.
    func end(_ id: String, member: String) throws -> Transaction {
        let key = try Self.key(id, member: member)
        let now = ContinuousClock.now
        return try open.withLock { open in
            guard let transaction = open.removeValue(forKey: key), Self.isLive(transaction, at: now) else { throw Self.unknown(id, member: member) }
            return transaction
        }
    }

    /// How many transactions are open (expired ones are dropped when the next begins).
    var count: Int { open.withLock { $0.count } }

    private static func isLive(_ transaction: Transaction, at now: ContinuousClock.Instant) -> Bool {
        now - transaction.began < maxLifetime && now - transaction.lastUsed < maxIdle
    }

    /// The id's bytes: clients send it back in standard or URL-safe base64.
    private static func key(_ id: String, member: String) throws -> Data {
        var base64 = id.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard !id.isEmpty, let data = Data(base64Encoded: base64) else {
            throw GoogleAPIError.invalidArgument("\(member): \"\(id)\" is not a transaction id (base64).")
        }
        return data
    }

    private static func unknown(_ id: String, member: String) -> GoogleAPIError {
        .invalidArgument("\(member): the transaction \"\(id)\" has expired or is no longer valid (unknown, committed or rolled back).")
    }
}
