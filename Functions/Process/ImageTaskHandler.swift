import Foundation
import FunctionsFramework
import GoogleCloud
import Imaging
import Logging
import PipelineModel
import PixelPipeCore

/// Runs one image task (`JOB-ROW-INDEX` on `images-JOB`): download, recipe, outputs, then the
/// item and the job's counters in one commit through the `JobLedger`, so each item counts once.
///
/// Failure policy (ARCHITECTURE §5): a permanent failure is recorded as a failed item and the
/// task acknowledged; a transient one answers 503 so the queue retries, except on the attempt
/// after which the queue gives up — once both its `maxAttempts` and its `maxRetryDuration`
/// (counted from the task's first attempt, which Cloud Tasks reports) are spent — where the
/// item is recorded as failed instead, so the job can still complete.
struct ImageTaskHandler: CloudTaskFunction {
    typealias Payload = ImageTask

    let processor: ImageProcessor
    let ledger: JobLedger
    let jobs: JobStore
    /// Whether a failed attempt was the queue's last (the queue's own retry settings).
    let verdict: RetryVerdict
    /// The recipe for tasks that carry none.
    let defaultRecipe: Recipe
    /// What a task's recipe may ask for (the default recipe was checked at start-up).
    let budget: OutputBudget
    /// Items by outcome and reason, step durations, bytes, queue lag (`StageMetrics`).
    let metrics: StageMetrics
    let now: @Sendable () -> Date

    init(
        processor: ImageProcessor, clients: PipelineClients, configuration: PipelineConfiguration,
        metrics: StageMetrics = StageMetrics(stage: "process"), now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.metrics = metrics
        self.processor = processor
        self.ledger = JobLedger(clients: clients, configuration: configuration)
        self.jobs = JobStore(firestore: clients.firestore)
        self.verdict = RetryVerdict(tasks: clients.tasks, fallback: configuration.imageQueue)
        self.defaultRecipe = configuration.recipe
        self.budget = configuration.outputBudget
        self.now = now
    }

    func handle(_ request: CloudTaskRequest<ImageTask>, context: InvocationContext) async throws {
        let task = request.payload
        var logger = context.logger
        logger[metadataKey: "pixelpipe.job"] = .string(task.job.rawValue)
        logger[metadataKey: "pixelpipe.task"] = .string(request.task.taskName)
        guard task.row >= 1, task.index >= 0, (task.counter ?? 0) >= 0 else {
            throw InvocationError.permanent("task \(request.task.taskName) names no valid item (job \(task.job), row \(task.row), image \(task.index), counter \(task.counter ?? 0))")
        }

        // The item and the job document are read together (the second read costs no time): a
        // task re-run after it succeeded (its response was lost) does no image work again, but
        // still makes sure a complete job gets its teardown; a job being cancelled starts no
        // image, and its task is acknowledged without recording anything (teardown reports the
        // item as cancelled).
        let (recorded, cancelRequested) = try await ledgerCall {
            async let item = jobs.item(task.job, row: task.row, index: task.index)
            async let job = jobs.record(task.job)
            return (try await item != nil, try await job?.record.cancelRequestedAt != nil)
        }
        if recorded {
            logger.debug("item already recorded; ensuring teardown of a complete job")
            try await ledgerCall { try await ledger.ensureTeardownIfComplete(job: task.job, logger: logger) }
            return
        }
        if cancelRequested {
            logger.debug("job cancelled; image not started")
            return
        }

        let attempt = request.task.attempt
        let started = now()
        let startedClock = ContinuousClock.now
        let eta = request.task.eta.map { Date(timeIntervalSince1970: $0) }
        metrics.queueLag(eta: eta, now: started)
        var timings = StepTimings(startedAt: Timestamp.format(started), queuedAt: eta.map(Timestamp.format))
        var bytesIn = 0
        let item: ItemRecord
        var reasonKind = "none"
        do {
            let result = try await process(task, timings: &timings, bytesIn: &bytesIn)
            item = ItemRecord(
                row: task.row, index: task.index, url: task.url, product: task.product, status: .succeeded,
                outputs: result.outputs, analysis: result.analysis, attempt: attempt, recordedAt: Timestamp.format(now()),
                timings: metrics.enabled ? timings : nil
            )
            logger.debug("image processed", metadata: ["pixelpipe.outputs": .stringConvertible(result.outputs.count)])
        } catch let failure {
            var reason = failure.description
            if failure.isTransient {
                let (givesUp, firstAttempt) = try await ledgerCall { try await verdict.givesUp(after: attempt, of: request.task, now: now()) }
                guard givesUp else {
                    metrics.item(outcome: "retried", reason: failure.kind)
                    logger.debug("image failed transiently; asking for a retry", metadata: ["pixelpipe.reason": .string(failure.description)])
                    throw InvocationError.transient(failure.description)
                }
                reason += " (gave up after \(attempt) attempts" + (firstAttempt.map { " over " + Self.describe(now().timeIntervalSince($0)) } ?? "") + ")"
            }
            logger.warning("image failed; recording the item as failed", metadata: ["pixelpipe.reason": .string(reason)])
            reasonKind = failure.kind
            item = ItemRecord(
                row: task.row, index: task.index, url: task.url, product: task.product, status: .failed,
                error: reason, attempt: attempt, recordedAt: Timestamp.format(now()), timings: metrics.enabled ? timings : nil
            )
        }

        let commitStarted = ContinuousClock.now
        let outcome = try await ledgerCall { try await ledger.record(item, job: task.job, shard: task.counter ?? 0, logger: logger) }
        timings.add("ledger_commit", ContinuousClock.now - commitStarted)
        record(item, reason: reasonKind, timings: timings, total: ContinuousClock.now - startedClock, eta: eta, started: started, bytesIn: bytesIn, logger: logger)
        if case .recorded(let remaining) = outcome {
            logger.debug("item recorded", metadata: ["pixelpipe.item": .string(item.id), "pixelpipe.shard_remaining": .stringConvertible(remaining)])
        }
    }

    /// `31 min 4 s`, `12 s`: how long a task was retried, in the item's reason.
    static func describe(_ interval: TimeInterval) -> String {
        let seconds = max(0, Int(interval.rounded()))
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 3600 { return "\(seconds / 60) min \(seconds % 60) s" }
        return "\(seconds / 3600) h \(seconds % 3600 / 60) min"
    }

    /// Downloads and processes the task's image into its deterministic output names.
    private func process(_ task: ImageTask, timings: inout StepTimings, bytesIn: inout Int) async throws(ImageFailure) -> ImageProcessor.Result {
        let recipe: Recipe
        if task.recipe.isEmpty {
            recipe = defaultRecipe
        } else {
            do {
                recipe = try Recipe(json: Data(task.recipe.utf8))
            } catch {
                throw .recipe(error, source: task.url)
            }
            do {
                try budget.check(recipe)
            } catch {
                throw .overBudget(error, source: task.url)
            }
        }
        // Timed whether it succeeds or not: a failed download is part of a failed item's time.
        let downloadStarted = ContinuousClock.now
        var downloaded = false
        defer { if !downloaded { timings.add("download", ContinuousClock.now - downloadStarted) } }
        let data = try await processor.download(task.url)
        timings.add("download", ContinuousClock.now - downloadStarted)
        downloaded = true
        bytesIn = data.count
        return try await processor.make(data, recipe: recipe, source: task.url, timings: &timings) { rendition in
            PipelineNames.outputObject(
                job: task.job, product: task.product, row: task.row, index: task.index,
                size: rendition.size, format: rendition.format.fileExtension
            )
        }
    }

    /// Runs a Firestore or Cloud Tasks call: transient failures answer 503 so the task is
    /// retried (the item is not recorded yet, or its teardown not yet ensured); a job that does
    /// not exist is acknowledged, since no retry can create it.
    private func ledgerCall<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as any RetryClassifiedError where error.isTransient {
            throw InvocationError.transient("recording the item failed: \(error)")
        } catch let error as JobLedgerError {
            throw InvocationError.permanent("\(error)")
        }
    }
}
