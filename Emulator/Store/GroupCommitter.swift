import GoogleCloud
import GRDB
import Synchronization

/// Runs write requests that arrive together in one SQLite transaction, each in a savepoint of its
/// own, and resumes their callers only after that transaction has committed (and, with
/// `synchronous=FULL`, reached the disk).
///
/// SQLite serializes writers anyway; what group commit adds is that fifty concurrent requests
/// cost one WAL fsync instead of fifty. A request that fails rolls back its own savepoint only.
/// Work inside a request must be short and must not await: it holds the one writer.
final class GroupCommitter: Sendable {
    private let database: DatabasePool
    private let maxBatch: Int
    private let state = Mutex(State())
    private let commits = Atomic<UInt64>(0)

    /// Writes waiting for the next transaction, and whether a drain loop is running.
    private struct State {
        var pending: [any PendingWrite] = []
        var draining = false
    }

    init(database: DatabasePool, maxBatch: Int = 512) {
        self.database = database
        self.maxBatch = maxBatch
    }

    /// How many group transactions have committed; `StoreMaintenance` compares readings of it
    /// to tell whether anyone else wrote while it was working.
    var commitCount: UInt64 { commits.load(ordering: .acquiring) }

    /// Runs `body` in the next group transaction and returns its result once that has committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let job = Job(body: body, continuation: continuation)
            let startDraining = state.withLock { state in
                state.pending.append(job)
                if state.draining { return false }
                state.draining = true
                return true
            }
            if startDraining {
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while true {
            let batch: [any PendingWrite] = state.withLock { state in
                guard !state.pending.isEmpty else {
                    state.draining = false
                    return []
                }
                let count = min(maxBatch, state.pending.count)
                let batch = Array(state.pending.prefix(count))
                state.pending.removeFirst(count)
                return batch
            }
            if batch.isEmpty { return }
            do {
                try await database.write { db in
                    for job in batch { job.run(in: db) }
                }
                commits.add(1, ordering: .releasing)
                for job in batch { job.finish(commitError: nil) }
            } catch {
                for job in batch { job.finish(commitError: error) }
            }
        }
    }
}

/// One caller's write, type-erased so a batch can hold different result types.
private protocol PendingWrite: Sendable {
    func run(in db: Database)
    func finish(commitError: (any Error)?)
}

/// A write and the caller waiting for it. Touched by the writer queue (`run`) and then by the
/// drain loop (`finish`), strictly one after the other.
private final class Job<T: Sendable>: PendingWrite, @unchecked Sendable {
    private let body: @Sendable (Database) throws -> T
    private let continuation: CheckedContinuation<T, any Error>
    private var result: Result<T, any Error>?

    init(body: @escaping @Sendable (Database) throws -> T, continuation: CheckedContinuation<T, any Error>) {
        self.body = body
        self.continuation = continuation
    }

    func run(in db: Database) {
        do {
            var value: T?
            try db.inSavepoint {
                value = try body(db)
                return .commit
            }
            result = value.map { .success($0) }
        } catch {
            result = .failure(error)
        }
    }

    func finish(commitError: (any Error)?) {
        if let commitError {
            continuation.resume(throwing: commitError)
        } else if let result {
            continuation.resume(with: result)
        } else {
            continuation.resume(throwing: GoogleAPIError.internal("The write was not run."))
        }
    }
}
