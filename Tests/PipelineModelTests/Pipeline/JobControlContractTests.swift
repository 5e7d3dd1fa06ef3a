import Foundation
import GoogleCloud
import PipelineModel
import Testing

/// The job the table tests name.
private let J = JobID("0123456789abcdef")!

/// The parts of the job contract cancel and retry add: the run's names, clearing what
/// finalization froze, and how a cancelled job's counts are shown.
@Suite("Pipeline contracts: cancel and retry")
struct JobControlContractTests {
    static let job = JobID("0123456789abcdef")!

    static func record(total: Int) -> JobRecord {
        JobRecord(
            id: job, source: .init(bucket: "up", name: "p.csv", generation: "17"), total: total, rows: total, invalidRows: 0, shards: 1,
            counterShards: 1, recipe: "{}", webhookURL: nil, createdAt: Date(timeIntervalSince1970: 0), deadline: Date(timeIntervalSince1970: 3600)
        )
    }

    @Test("run 0 keeps the first names; run N's queue and tasks end in -rN, apart from the names Cloud Tasks remembers", arguments: [
        (0, "images-0123456789abcdef", "0123456789abcdef-12-3", "teardown-0123456789abcdef", "watchdog-0123456789abcdef-2", "cancel-0123456789abcdef"),
        (2, "images-0123456789abcdef-r2", "0123456789abcdef-12-3-r2", "teardown-0123456789abcdef-r2", "watchdog-0123456789abcdef-r2-2", "cancel-0123456789abcdef-r2"),
    ])
    func runNames(run: Int, queue: String, image: String, teardown: String, watchdog: String, cancel: String) {
        #expect(PipelineNames.imageQueue(job: Self.job, run: run) == queue)
        #expect(PipelineNames.imageTask(job: Self.job, row: 12, index: 3, run: run) == image)
        #expect(PipelineNames.teardownTask(job: Self.job, run: run) == teardown)
        #expect(PipelineNames.watchdogTask(job: Self.job, extension: 2, run: run) == watchdog)
        #expect(PipelineNames.cancelTask(job: Self.job, run: run) == cancel)
        #expect(PipelineNames.resultsNDJSON(job: Self.job) == "0123456789abcdef/results.ndjson")
    }

    @Test("a retry's update names the finalization fields in its mask without values, so Firestore removes them; applied, it clears them")
    func clearsFinalization() throws {
        let update = JobRecord.Update(status: .running, run: 1, clearsFinalization: true)
        let (fields, mask) = try update.fields()
        #expect(Set(fields.keys) == ["status", "run"])
        #expect(Set(mask) == ["status", "run", "finalizedAt", "finalCounts", "outputCSV", "resultsNDJSON", "missing", "webhookDeliveredAt", "nearDuplicates", "cancelRequestedAt"])
        var record = Self.record(total: 2)
        record.status = .cancelled
        record.finalizedAt = "2027-01-15T09:00:00.000Z"
        record.finalCounts = .init(succeeded: 1, failed: 0, missing: 0, cancelled: 1)
        record.outputCSV = "x"
        record.resultsNDJSON = "y"
        record.webhookDeliveredAt = "2027-01-15T09:00:01.000Z"
        record.cancelRequestedAt = "2027-01-15T08:59:00.000Z"
        update.apply(to: &record)
        #expect(record.status == .running && record.run == 1)
        #expect(record.finalizedAt == nil && record.finalCounts == nil && record.outputCSV == nil && record.resultsNDJSON == nil)
        #expect(record.webhookDeliveredAt == nil && record.cancelRequestedAt == nil)
    }

    @Test("final counts written before cancel existed decode with cancelled = 0")
    func finalCountsWithoutCancelled() throws {
        let counts = try JSONDecoder().decode(JobRecord.FinalCounts.self, from: Data(#"{"succeeded":3,"failed":1,"missing":2}"#.utf8))
        #expect(counts == .init(succeeded: 3, failed: 1, missing: 2, cancelled: 0))
    }

    @Test("a cancelled job shows its unrecorded items as cancelled and remaining, so succeeded + failed + remaining = total; while the cancel is pending they are remaining")
    func cancelledView() throws {
        var record = Self.record(total: 5)
        record.cancelRequestedAt = "2027-01-15T08:59:00.000Z"
        let pending = JobView(JobState(record: record, counters: [CounterShard(succeeded: 1, failed: 1, remaining: 3)]), links: .publicStorage, bucket: "out")
        #expect((pending.status, pending.remaining, pending.cancelled, pending.cancelRequestedAt) == (.running, 3, 0, record.cancelRequestedAt))
        record.status = .cancelled
        record.finalCounts = .init(succeeded: 1, failed: 1, missing: 0, cancelled: 3)
        record.resultsNDJSON = "0123456789abcdef/results.ndjson"
        let final = JobView(JobState(record: record, counters: [CounterShard(succeeded: 2, failed: 1, remaining: 2)]), links: .publicStorage, bucket: "out")
        #expect((final.succeeded, final.failed, final.cancelled, final.missing, final.remaining) == (1, 1, 3, 0, 3))
        #expect(final.succeeded + final.failed + final.remaining == final.total)
        #expect(final.resultsNDJSON == "https://storage.googleapis.com/out/0123456789abcdef/results.ndjson")
        #expect(final.run == nil)
    }

    @Test("cancel and retry refusals: the job's state is a conflict (409), an unknown job is not, a held lease is transient", arguments: [
        (JobControlError.alreadyFinal(job: J, status: .finished), true, false), (.rejected(J), true, false), (.stillRunning(J), true, false),
        (.nothingToRetry(J), true, false), (.noResults(J), true, false), (.unknownJob(J), false, false),
        (.busy(job: J, holder: "teardown-0123456789abcdef", until: "2027-01-15T09:00:00.000Z"), false, true),
    ])
    func refusals(_ error: JobControlError, conflict: Bool, transient: Bool) {
        #expect(error.isConflict == conflict && error.isTransient == transient)
        #expect(error.description.contains("0123456789abcdef"))
    }
}
