import Foundation
import GoogleCloud
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps the database compact while the emulator runs: every `interval` it forgets task names
/// past Cloud Tasks' de-duplication window, drops Pub/Sub deliveries past their subscription's
/// retention, gives the freed pages back to the file system (incremental vacuum) and, when
/// nobody else is writing, truncates the WAL.
///
/// Everything goes through the store's group committer in small steps (`batchSize` rows or
/// `vacuumStep` pages per transaction), so API writes queue behind at most one short step and
/// never behind a whole clean-up.
final class StoreMaintenance: Service {
    /// How often and in what steps; tests pass small values.
    struct Configuration: Sendable, Equatable {
        /// How long the name of a deleted, completed or failed task is still refused.
        var taskNameRetention: Duration = TasksStore.defaultNameRetention
        /// Time between passes.
        var interval: Duration = .seconds(60)
        /// Rows deleted per write transaction.
        var batchSize = 1000
        /// Pages given back per write transaction (4 MiB of 4 KiB pages).
        var vacuumStep = 1024
        /// Free pages worth keeping for the next inserts rather than giving back (1 MiB).
        var keptFreePages = 256

        init() {}

        init(taskNameRetention: Duration = TasksStore.defaultNameRetention, interval: Duration = .seconds(60),
             batchSize: Int = 1000, vacuumStep: Int = 1024, keptFreePages: Int = 256) {
            self.taskNameRetention = taskNameRetention
            self.interval = interval
            self.batchSize = batchSize
            self.vacuumStep = vacuumStep
            self.keptFreePages = keptFreePages
        }
    }

    /// What one pass did.
    struct Report: Sendable, Equatable {
        var forgottenTaskNames = 0
        var expiredDeliveries = 0
        var vacuumedPages = 0
        var truncatedWAL = false
    }

    private let store: EmulatorStore
    private let configuration: Configuration
    private let logger: Logger
    private let now: @Sendable () -> Int64
    /// The committer's count when the previous pass ended, and when the WAL was last truncated.
    private let marks = Mutex<(passEnd: UInt64?, truncated: UInt64?)>((nil, nil))

    /// - Parameter now: wall-clock microseconds; tests may pass their own.
    init(store: EmulatorStore, configuration: Configuration = .init(), logger: Logger,
         now: @escaping @Sendable () -> Int64 = { GoogleTimestamp.now().microseconds }) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    /// Runs a pass every `interval` until cancelled or graceful shutdown; a failed pass is logged
    /// and the next one tries again.
    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.runPass()
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.warning("database maintenance failed", metadata: ["pixelpipe.error": "\(error)"])
                }
                try? await Task.sleep(for: self.configuration.interval)
            }
        }
    }

    /// One pass: the row clean-ups, then the vacuum, then the WAL when nobody else wrote.
    @discardableResult
    func runPass() async throws -> Report {
        var report = Report()
        let startCount = store.committer.commitCount
        var ownWrites: UInt64 = 0

        let tasks = TasksStore(store: store)
        let cutoff = now() - configuration.taskNameRetention.wholeMicroseconds
        report.forgottenTaskNames = try await inBatches(&ownWrites) { limit in
            try await tasks.forgetNames(retiredBefore: cutoff, limit: limit)
        }

        let pubsub = PubSubStore(store: store)
        for subscription in try await pubsub.subscriptionNames() {
            report.expiredDeliveries += try await inBatches(&ownWrites) { limit in
                try await pubsub.expireDeliveries(subscription: subscription, limit: limit, nowMicroseconds: now())
            }
        }
        // Snapshots past their expireTime go, with the messages only they held.
        if try await pubsub.expireSnapshots(nowMicroseconds: now()) > 0 { ownWrites += 1 }

        var free = try await store.freePageCount()
        while free > configuration.keptFreePages {
            try Task.checkCancellation()
            try await store.incrementalVacuum(pages: min(configuration.vacuumStep, free - configuration.keptFreePages))
            ownWrites += 1
            let left = try await store.freePageCount()
            guard left < free else { break }
            report.vacuumedPages += free - left
            free = left
        }

        report.truncatedWAL = try await truncateWALIfIdle(startCount: startCount, ownWrites: ownWrites)
        if report != Report() {
            logger.debug("database maintenance pass", metadata: [
                "pixelpipe.forgottenTaskNames": "\(report.forgottenTaskNames)",
                "pixelpipe.expiredDeliveries": "\(report.expiredDeliveries)",
                "pixelpipe.vacuumedPages": "\(report.vacuumedPages)",
                "pixelpipe.truncatedWAL": "\(report.truncatedWAL)",
            ])
        }
        return report
    }

    /// Runs `step` with `batchSize` until it does less than a full batch; returns the total.
    private func inBatches(_ ownWrites: inout UInt64, _ step: (Int) async throws -> Int) async throws -> Int {
        var total = 0
        while true {
            try Task.checkCancellation()
            let done = try await step(configuration.batchSize)
            if done > 0 { ownWrites += 1 }  // the steps write only when they find something
            total += done
            if done < configuration.batchSize { return total }
        }
    }

    /// Truncates the WAL when this pass was the only writer: either it wrote and every commit
    /// since it started was its own, or it wrote nothing and nothing was committed since the
    /// previous pass. Once truncated, it waits for new commits before truncating again.
    private func truncateWALIfIdle(startCount: UInt64, ownWrites: UInt64) async throws -> Bool {
        let endCount = store.committer.commitCount
        let (previousEnd, truncated) = marks.withLock { ($0.passEnd, $0.truncated) }
        marks.withLock { $0.passEnd = endCount }
        let idle = ownWrites > 0 ? endCount - startCount == ownWrites : previousEnd == startCount
        guard idle, truncated != endCount else { return false }
        guard try await store.truncateWAL() else { return false }
        marks.withLock { $0.truncated = endCount }
        return true
    }
}
