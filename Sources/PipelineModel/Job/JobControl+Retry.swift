import Foundation
import FunctionsFramework
import GoogleCloud
import Logging
import PixelPipeCore

extension JobControl {
    /// Runs the failed, missing and cancelled images of a finalized job again, as run N+1 of
    /// the job, and returns the job as it now runs.
    ///
    /// Only a finalized job is retried (`finished_with_errors`, `timed_out`, `cancelled`, or
    /// `finished` when it has something to run again): a running one is
    /// `JobControlError.stillRunning`, since its failures are not settled yet; a rejected one
    /// `JobControlError.rejected`; one with nothing to run `JobControlError.nothingToRetry`.
    /// Under the job's finalizer lease (so no teardown and no second retry runs meanwhile;
    /// a held lease is `JobControlError.busy`):
    /// 1. the job's `results.ndjson` and its items are walked together in row order; each image
    ///    recorded as failed is deleted and uncounted from its counter shard in the same
    ///    commit (`JobStore.uncount`, batches of up to 400 a shard), so the counts match the
    ///    items at every instant; nothing is written if there is nothing to run;
    /// 2. the run's queue `images-JOB-rN` and watchdog `watchdog-JOB-rN` are created, and the
    ///    job is put back to `running` with `run` N, a new deadline, and what finalization froze
    ///    cleared (final counts, output CSV, results, webhook delivery), on condition that the
    ///    job document did not change since it was read;
    /// 3. the walk is repeated and every image without an item gets a task `JOB-ROW-INDEX-rN`,
    ///    counting on a shard that still expects an item (the shards' `remaining` says how many
    ///    each expects; which image a shard counts does not matter to the sums).
    /// When the retried images are recorded, the job's last item enqueues `teardown-JOB-rN`,
    /// which finalizes it again with a new output CSV, results and webhook.
    public func retry(_ job: JobID, logger: Logger = Logger(label: "pixelpipe.jobs")) async throws -> RetryResult {
        var logger = logger
        logger[metadataKey: "pixelpipe.job"] = .string(job.rawValue)
        let first = try await retryableRecord(job)
        let run = (first.record.run ?? 0) + 1
        // The retried images' tasks carry the job's trace, so the new run joins it.
        let span = span(for: first.record)
        if let span { logger = logger.tracing(span) }
        return try await TraceParent.withCurrent(span) { [logger] in
            var lease = try await ControlLease(job: job, holder: "retry-\(job)-r\(run)", duration: leaseDuration, jobs: jobs, now: now)
            do {
                let result = try await retryHoldingLease(job, lease: &lease, logger: logger)
                await lease.release()
                // Images may all have been recorded before the lease was released (or none enqueued).
                try await ledger.ensureTeardownIfComplete(job: job, logger: logger)
                return result
            } catch {
                await lease.release()
                throw error
            }
        }
    }

    /// The job as read, if a retry may act on it.
    private func retryableRecord(_ job: JobID) async throws -> (record: JobRecord, updateTime: String?) {
        guard let (record, updateTime) = try await jobs.record(job) else { throw JobControlError.unknownJob(job) }
        if record.status == .rejected { throw JobControlError.rejected(job) }
        guard record.status.isFinal, record.finalizedAt != nil else { throw JobControlError.stillRunning(job) }
        guard record.resultsNDJSON != nil else { throw JobControlError.noResults(job) }
        return (record, updateTime)
    }

    private func retryHoldingLease(_ job: JobID, lease: inout ControlLease, logger: Logger) async throws -> RetryResult {
        // Read again under the lease: another retry may have run while this one waited.
        let (record, updateTime) = try await retryableRecord(job)
        let run = (record.run ?? 0) + 1

        // 1. Uncount the failed images, a shard's batch at a time.
        var batches: [Int: [ItemRecord]] = [:]
        var failed = 0
        var unrecorded = 0
        func flush(_ shard: Int, lease: inout ControlLease) async throws {
            guard let batch = batches.removeValue(forKey: shard), !batch.isEmpty else { return }
            guard try await jobs.uncount(batch, job: job, shard: shard) else {
                throw JobControlError.busy(job: job, holder: "another retry", until: "it finishes")
            }
            try await afterUncount?()
            try await lease.renewIfDue()
        }
        try await walk(record) { line, item in
            if let item {
                guard item.isRetryable else { return }
                let shard = item.counter ?? 0
                batches[shard, default: []].append(item)
                failed += 1
                if batches[shard]!.count == JobStore.maxItemsPerCommit { try await flush(shard, lease: &lease) }
            } else if line.url != nil, line.index >= 1 {
                unrecorded += 1
            }
        }
        for shard in batches.keys.sorted() { try await flush(shard, lease: &lease) }
        guard failed + unrecorded > 0 else { throw JobControlError.nothingToRetry(job) }

        // 2. The new run's queue and watchdog, then the job back to running.
        let deadline = now().addingTimeInterval(configuration.jobDeadline(forItems: failed + unrecorded).timeInterval)
        let queue = PipelineNames.imageQueue(job: job, run: run)
        do {
            _ = try await clients.tasks.createQueue(queue, rateLimits: configuration.imageQueue.rateLimits, retryConfig: configuration.imageQueue.retryConfig)
        } catch let error as GoogleAPIError where error.isAlreadyExists {}
        try await ledger.enqueueTeardown(job: job, reason: .deadline, at: deadline, run: run, logger: logger)
        let update = JobRecord.Update(
            status: .running, deadline: Timestamp.format(deadline), deadlineExtensions: 0, run: run, retriedAt: Timestamp.format(now()),
            clearsFinalization: true
        )
        try await lease.renewIfDue()
        do {
            try await jobs.update(job, update, ifUpdatedAt: updateTime)
        } catch let error as GoogleAPIError where error.isPreconditionFailed {
            throw JobControlError.busy(job: job, holder: "a concurrent change of the job", until: "it finishes")
        }
        var running = record
        update.apply(to: &running)
        logger.notice("job retried", metadata: ["pixelpipe.run": .stringConvertible(run), "pixelpipe.failed": .stringConvertible(failed), "pixelpipe.unrecorded": .stringConvertible(unrecorded)])

        // 3. A task for every image without an item, on a shard still expecting one.
        var capacity = try await jobs.counters(job).map { max(0, $0.remaining) }
        var nextShard = 0
        var pending: [ImageTask] = []
        var enqueued = 0
        let processURL = try configuration.requireProcessURL()
        func enqueue(lease: inout ControlLease) async throws {
            let tasks = pending
            pending.removeAll(keepingCapacity: true)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in tasks {
                    group.addTask {
                        try await clients.createTask(
                            named: PipelineNames.imageTask(job: job, row: task.row, index: task.index, run: run), queue: queue,
                            url: processURL, body: task, configuration: configuration
                        )
                    }
                }
                try await group.waitForAll()
            }
            enqueued += tasks.count
            try await lease.renewIfDue()
        }
        // The results the job was finalized with (the flip removed their name from the job).
        try await walk(record) { line, item in
            guard item == nil, let url = line.url, line.index >= 1 else { return }
            while nextShard < capacity.count, capacity[nextShard] == 0 { nextShard += 1 }
            guard nextShard < capacity.count else {
                // Recorded late (an image in flight at the cancel or the deadline) after the
                // shards were read: nothing expects it, and it needs no task.
                logger.debug("no counter shard expects the image; skipped", metadata: ["pixelpipe.item": .string("\(line.row)-\(line.index)")])
                return
            }
            capacity[nextShard] -= 1
            pending.append(ImageTask(job: job, row: line.row, index: line.index, url: url, product: line.product, recipe: running.recipe ?? "", counter: nextShard))
            if pending.count == 64 { try await enqueue(lease: &lease) }
        }
        if !pending.isEmpty { try await enqueue(lease: &lease) }
        return RetryResult(job: running, enqueued: enqueued, failed: failed, unrecorded: unrecorded)
    }

    /// Walks the lines of the job's `results.ndjson` with the item each has now (nil when none
    /// is recorded), paging the items alongside in row order: one page and one chunk held.
    private func walk(_ record: JobRecord, _ body: (ResultLine, ItemRecord?) async throws -> Void) async throws {
        guard let name = record.resultsNDJSON else { throw JobControlError.noResults(record.id) }
        var pages = jobs.items(record.id).makeAsyncIterator()
        var page: [ItemRecord] = []
        var position = 0
        var exhausted = false
        try await ResultLines(storage: clients.storage, bucket: configuration.processedBucket, name: name).forEach { line in
            var found: ItemRecord?
            while true {
                if position == page.count {
                    guard !exhausted, let next = try await pages.next() else { exhausted = true; break }
                    page = next
                    position = 0
                    continue
                }
                let item = page[position]
                if (item.row, item.index) < (line.row, line.index) {
                    position += 1
                } else {
                    if (item.row, item.index) == (line.row, line.index) { found = item }
                    break
                }
            }
            try await body(line, found)
        }
    }
}
