import Foundation
import GoogleCloud

/// The job's documents in Firestore, typed: the job document `jobs/JOB`, its counter shards
/// `jobs/JOB/counters/K`, its items `jobs/JOB/items/ROW-INDEX` and its finalizer lease. Every
/// stage reads and writes jobs through here, so document paths and field names live in the
/// contract (`PipelineNames`, the records' coding keys) and nowhere else.
public struct JobStore: Sendable {
    public let firestore: FirestoreClient

    public init(firestore: FirestoreClient) {
        self.firestore = firestore
    }

    // MARK: The job

    /// The job document alone, with its update time, or nil when there is no such job.
    public func record(_ job: JobID) async throws -> (record: JobRecord, updateTime: String?)? {
        guard let document = try await firestore.document(PipelineNames.jobDocument(job: job)) else { return nil }
        return (try document.decode(JobRecord.self), document.updateTime)
    }

    /// The job with its counts summed over its counter shards, or nil when there is no such job.
    /// The shards are listed after the job document is read.
    public func state(_ job: JobID) async throws -> JobState? {
        guard let (record, updateTime) = try await record(job) else { return nil }
        return JobState(record: record, counters: try await counters(job), updateTime: updateTime)
    }

    /// Whether some counter shard of `job` still expects items. Reads the shards a page at a
    /// time and stops at the first that does, so the check the item completing each shard makes
    /// costs a page rather than every shard until the job is nearly done (all N shards read at
    /// each of N completions made small jobs cost N² reads).
    public func hasIncompleteCounter(_ job: JobID, pageSize: Int = 20) async throws -> Bool {
        var token: String?
        repeat {
            let page = try await firestore.list(PipelineNames.countersCollection(job: job), pageSize: pageSize, pageToken: token)
            for document in page.documents where try document.decode(CounterShard.self).remaining > 0 {
                return true
            }
            token = page.nextPageToken
        } while token != nil
        return false
    }

    /// The job's counter shards, in shard order.
    public func counters(_ job: JobID) async throws -> [CounterShard] {
        try await firestore.listAll(PipelineNames.countersCollection(job: job)).map { try $0.decode(CounterShard.self) }
    }

    /// Creates the job document and its counter shards in one commit, if the job does not exist
    /// yet; false when it did (a concurrent or earlier delivery made it). `counters` defaults to
    /// `record.counterShards` shards sharing `record.total` images.
    @discardableResult
    public func create(_ record: JobRecord, counters: [CounterShard]? = nil) async throws -> Bool {
        var writes = [FirestoreWrite(
            .update(path: PipelineNames.jobDocument(job: record.id), fields: try FirestoreCoding.fields(from: record), mask: nil),
            precondition: .exists(false)
        )]
        let counters = counters ?? CounterShard.plan(total: record.total, shards: record.counterShards ?? 0)
        precondition(counters.count == record.counterShards ?? 0, "a job's counter shards must be as many as its counterShards")
        for (k, shard) in counters.enumerated() {
            writes.append(FirestoreWrite(.update(path: PipelineNames.counterDocument(job: record.id, shard: k), fields: try FirestoreCoding.fields(from: shard), mask: nil)))
        }
        do {
            _ = try await firestore.commit(writes)
            return true
        } catch let error as GoogleAPIError where error.isAlreadyExists || error.isPreconditionFailed {
            return false
        }
    }

    /// Writes the fields `update` sets, on condition that the job document exists or, with
    /// `updateTime`, that it has not changed since then. Returns the new update time.
    @discardableResult
    public func update(_ job: JobID, _ update: JobRecord.Update, ifUpdatedAt updateTime: String? = nil) async throws -> String? {
        let (fields, mask) = try update.fields()
        let write = FirestoreWrite(
            .update(path: PipelineNames.jobDocument(job: job), fields: fields, mask: mask),
            precondition: updateTime.map { .updateTime($0) } ?? .exists(true)
        )
        return try await firestore.commit([write]).writeResults?.first?.updateTime
    }

    // MARK: Items

    /// What committing an item did.
    public enum ItemCommit: Sendable, Equatable {
        /// The item was created and counted on its shard, which still expects `shardRemaining`.
        case counted(shardRemaining: Int)
        /// The item already existed (a repeated delivery); nothing was counted.
        case alreadyRecorded
        /// The counter shard (or the whole job) does not exist; nothing was written.
        case noCounter
    }

    /// Most items one commit records (Firestore takes 500 writes per commit; one is the counter's).
    public static let maxItemsPerCommit = 400

    /// Creates `items` (each with precondition `exists=false`) and counts them on counter shard
    /// `shard` in the same commit, so they count exactly once however often they are recorded:
    /// if any of them exists, nothing is written. At most `maxItemsPerCommit`.
    public func commit(_ items: [ItemRecord], job: JobID, shard: Int) async throws -> ItemCommit {
        precondition(!items.isEmpty && items.count <= Self.maxItemsPerCommit, "1 to \(Self.maxItemsPerCommit) items per commit")
        let succeeded = items.count(where: { $0.status == .succeeded })
        let progress = CounterShard.progressFields(recordedAt: items.map(\.recordedAt).max() ?? "")
        var writes = try items.map { item in
            var item = item
            item.counter = shard
            return FirestoreWrite(
                .update(path: PipelineNames.itemDocument(job: job, row: item.row, index: item.index), fields: try FirestoreCoding.fields(from: item), mask: nil),
                precondition: .exists(false)
            )
        }
        writes.append(FirestoreWrite(
            .update(path: PipelineNames.counterDocument(job: job, shard: shard), fields: progress.fields, mask: progress.mask),
            precondition: .exists(true),
            increments: CounterShard.increments(succeeded: succeeded, failed: items.count - succeeded)
        ))
        do {
            let result = try await firestore.commit(writes)
            guard let results = result.writeResults, results.count == writes.count, let transforms = results[items.count].transformResults, transforms.count == 3,
                  case .integer(let remaining) = transforms[2] else {
                throw JobLedgerError.unexpectedCommitResult(job: job, item: items[0].id)
            }
            return .counted(shardRemaining: Int(remaining))
        } catch let error as GoogleAPIError where error.isAlreadyExists || error.isPreconditionFailed {
            return .alreadyRecorded
        } catch let error as GoogleAPIError where error.isNotFound {
            return .noCounter
        }
    }

    /// Deletes `items` (failed items a retry runs again; each with precondition `exists=true`)
    /// and uncounts them from counter shard `shard` in the same commit — `failed` by their
    /// number, `remaining` back up by it — so the shards' sums match the item documents at every
    /// instant. False when some item was already gone (another retry took it): nothing is
    /// written. At most `maxItemsPerCommit`.
    public func uncount(_ items: [ItemRecord], job: JobID, shard: Int) async throws -> Bool {
        precondition(!items.isEmpty && items.count <= Self.maxItemsPerCommit, "1 to \(Self.maxItemsPerCommit) items per commit")
        let succeeded = items.count(where: { $0.status == .succeeded })
        var writes = items.map { item in
            FirestoreWrite(.delete(path: PipelineNames.itemDocument(job: job, row: item.row, index: item.index)), precondition: .exists(true))
        }
        writes.append(FirestoreWrite(
            .update(path: PipelineNames.counterDocument(job: job, shard: shard), fields: [:], mask: []),
            precondition: .exists(true),
            increments: CounterShard.increments(succeeded: -succeeded, failed: -(items.count - succeeded))
        ))
        do {
            _ = try await firestore.commit(writes)
            return true
        } catch let error as GoogleAPIError where error.isNotFound || error.isPreconditionFailed {
            return false
        }
    }

    /// Item `row`-`index` of the job, or nil when it is not recorded.
    public func item(_ job: JobID, row: Int, index: Int) async throws -> ItemRecord? {
        try await firestore.document(PipelineNames.itemDocument(job: job, row: row, index: index))?.decode(ItemRecord.self)
    }

    /// Writes an item document without counting it: for tests and benchmarks that lay out a
    /// job as the stages would have left it.
    public func put(_ item: ItemRecord, job: JobID) async throws {
        try await firestore.patch(PipelineNames.itemDocument(job: job, row: item.row, index: item.index), fields: try FirestoreCoding.fields(from: item))
    }

    /// Overwrites counter shard `shard`: for tests and benchmarks that lay out a job's counts.
    public func put(_ counter: CounterShard, job: JobID, shard: Int) async throws {
        try await firestore.patch(PipelineNames.counterDocument(job: job, shard: shard), fields: try FirestoreCoding.fields(from: counter))
    }

    /// The job's items in row, then image order, a page at a time: Firestore lists a collection
    /// in document-id order, which the zero-padded ids make the CSV's order.
    public func items(_ job: JobID, pageSize: Int = 1000) -> ItemPages {
        ItemPages(firestore: firestore, collection: PipelineNames.itemsCollection(job: job), pageSize: pageSize)
    }

    /// Every item of the job, in row order (small jobs and tests; teardown pages instead).
    public func allItems(_ job: JobID) async throws -> [ItemRecord] {
        var items: [ItemRecord] = []
        for try await page in self.items(job) { items += page }
        return items
    }

    // MARK: The finalizer lease

    /// The lease document and its update time, or nil when nobody holds it.
    public func lease(_ job: JobID) async throws -> (lease: FinalizerLeaseRecord, updateTime: String?)? {
        guard let document = try await firestore.document(PipelineNames.finalizerLease(job: job)) else { return nil }
        return (try document.decode(FinalizerLeaseRecord.self), document.updateTime)
    }

    /// Writes the lease on `precondition` (`exists=false` to take a free one, the old update time
    /// to take over an expired one); returns the new update time.
    public func putLease(_ lease: FinalizerLeaseRecord, job: JobID, precondition: FirestoreWrite.Precondition) async throws -> String? {
        let write = FirestoreWrite(.update(path: PipelineNames.finalizerLease(job: job), fields: try FirestoreCoding.fields(from: lease), mask: nil), precondition: precondition)
        return try await firestore.commit([write]).writeResults?.first?.updateTime
    }

    /// Deletes the lease if it is still at `updateTime` (else if it exists).
    public func deleteLease(_ job: JobID, ifUpdatedAt updateTime: String?) async throws {
        let write = FirestoreWrite(.delete(path: PipelineNames.finalizerLease(job: job)), precondition: updateTime.map { .updateTime($0) } ?? .exists(true))
        _ = try await firestore.commit([write])
    }
}

/// A job's items a page at a time, in document-id (row) order; one page is held at a time.
public struct ItemPages: AsyncSequence, Sendable {
    public typealias Element = [ItemRecord]

    let firestore: FirestoreClient
    let collection: String
    let pageSize: Int

    public func makeAsyncIterator() -> Iterator {
        Iterator(pages: self)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let pages: ItemPages
        var token: String?
        var done = false

        public mutating func next() async throws -> [ItemRecord]? {
            guard !done else { return nil }
            let page = try await pages.firestore.list(pages.collection, pageSize: pages.pageSize, pageToken: token)
            token = page.nextPageToken
            done = token == nil
            return try page.documents.map { try $0.decode(ItemRecord.self) }
        }
    }
}
