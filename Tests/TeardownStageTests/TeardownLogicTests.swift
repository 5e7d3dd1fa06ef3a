import Foundation
import PipelineModel
import StageTestSupport
import Testing

@testable import TeardownStage

/// Teardown's decisions as pure functions: no emulator, no network.
@Suite("Teardown stage: decisions (pure)")
struct TeardownLogicTests {
    static func job(status: JobRecord.Status = .running, total: Int = 4, succeeded: Int, failed: Int, missing: Int? = nil,
                    deadline: Date = Date().addingTimeInterval(3600)) -> JobState {
        var record = JobRecord(
            id: "0123456789abcdef", status: status, source: .init(bucket: "u", name: "p.csv", generation: "1"), total: total, rows: total,
            invalidRows: 0, shards: 1, counterShards: 2, recipe: nil, webhookURL: nil, createdAt: Date(), deadline: deadline
        )
        record.missing = missing
        // The counts spread over two counter shards, as process leaves them.
        let counters = [
            CounterShard(succeeded: succeeded - succeeded / 2, failed: failed / 2, remaining: 0),
            CounterShard(succeeded: succeeded / 2, failed: failed - failed / 2, remaining: total - succeeded - failed),
        ]
        return JobState(record: record, counters: counters)
    }

    /// (succeeded, failed of 4; trigger; deadline passed) → status and missing, or nil when not finalized.
    static let decisions: [(succeeded: Int, failed: Int, trigger: FinalStatus.Trigger, passed: Bool, status: JobRecord.Status?, missing: Int?)] = [
        (4, 0, .task(.complete), false, .finished, nil),
        (3, 1, .task(.complete), false, .finishedWithErrors, nil),
        (3, 1, .direct(deadline: false), false, .finishedWithErrors, nil),
        (1, 0, .task(.deadline), false, .timedOut, 3),
        (1, 1, .direct(deadline: true), false, .timedOut, 2),
        (1, 0, .task(.complete), true, .timedOut, 3),
        (1, 0, .task(.complete), false, nil, nil),
        (0, 0, .direct(deadline: false), false, nil, nil),
    ]

    @Test("FinalStatus.decide: complete jobs finish (with errors when any failed); incomplete ones time out only at their deadline", arguments: decisions.indices)
    func decide(_ number: Int) throws {
        let case_ = Self.decisions[number]
        let deadline = case_.passed ? Date().addingTimeInterval(-1) : Date().addingTimeInterval(3600)
        let job = Self.job(succeeded: case_.succeeded, failed: case_.failed, deadline: deadline)
        if let status = case_.status {
            let decided = try FinalStatus.decide(job, trigger: case_.trigger, now: Date())
            #expect(decided.status == status && decided.missing == case_.missing)
        } else {
            let error = #expect(throws: TeardownError.self) { try FinalStatus.decide(job, trigger: case_.trigger, now: Date()) }
            #expect(error?.isTransient == false)
            #expect(error?.description == "job \(job.id) is not complete: \(job.remaining) items remaining")
        }
    }

    @Test("FinalStatus.decide keeps a final status (rejected, or already finalized) as it is", arguments: [JobRecord.Status.rejected, .finished, .timedOut])
    func finalStays(_ status: JobRecord.Status) throws {
        let job = Self.job(status: status, succeeded: 0, failed: 0, missing: status == .timedOut ? 4 : nil)
        let decided = try FinalStatus.decide(job, trigger: .task(.deadline), now: Date())
        #expect(decided.status == status && decided.missing == job.missing)
    }

    @Test("FinalStatus.decide: a job whose cancel was requested is cancelled, complete or not, whatever triggered teardown", arguments: [
        (4, 0, FinalStatus.Trigger.task(.complete)), (1, 1, .task(.cancel)), (1, 0, .task(.deadline)), (0, 0, .direct(deadline: false)),
    ])
    func cancelRequested(succeeded: Int, failed: Int, trigger: FinalStatus.Trigger) throws {
        var job = Self.job(succeeded: succeeded, failed: failed)
        job.record.cancelRequestedAt = "2027-01-15T09:00:00.000Z"
        let decided = try FinalStatus.decide(job, trigger: trigger, now: Date())
        #expect(decided.status == .cancelled && decided.missing == nil)
    }

    @Test("RowOutcome: images a cancelled job was finalized without read as cancelled; a row with none recorded has status cancelled")
    func cancelledRows() throws {
        var reader = CSVRowReader()
        let rows = try reader.consume(Array("S. No.,Product Name,Input Image Urls\r\n1,Hat,\"https://a/1.jpg,https://a/2.jpg\"\r\n".utf8)) + reader.finish()
        let row = try #require(rows.first)
        let none = RowOutcome(row: row, items: [:], unrecorded: .cancelled)
        #expect(none.status == "cancelled" && none.error == "image 1: cancelled before it was processed; image 2: cancelled before it was processed")
        let partial = RowOutcome(row: row, items: [1: Self.item(1, 1, urls: ["https://out/1.webp"])], unrecorded: .cancelled)
        #expect(partial.status == "partial" && partial.error == "image 2: cancelled before it was processed")
        #expect(RowOutcome(row: row, items: [:]).status == "missing")
    }

    static func item(_ row: Int, _ index: Int, _ status: ItemRecord.Status = .succeeded, hash: UInt64? = nil, error: String? = nil, urls: [String] = []) -> ItemRecord {
        ItemRecord(
            row: row, index: index, url: "https://img.example/\(row)-\(index).jpg", product: "P", status: status, error: error,
            outputs: urls.map { .init(size: "thumb", format: "webp", width: 10, height: 10, object: "o/\($0)", url: $0, contentType: "image/webp", bytes: 1) },
            analysis: hash.map { ImageAnalysis(width: 640, height: 480, format: .jpeg, hasAlpha: false, dominantColor: "#336699", perceptualHash: PerceptualHash($0)) },
            recordedAt: "2026-01-01T00:00:00Z"
        )
    }

    @Test("NearDuplicate.find pairs each succeeded image with the first earlier one within the distance, in row then image order; failed items are not compared")
    func nearDuplicates() {
        // Teardown reads items in row order and keeps only succeeded images' hashes (ItemTally).
        let items = [
            Self.item(2, 1, hash: 0xF0F0_F0F0_0000_FFFF),
            Self.item(1, 2, hash: 0xF0F0_F0F0_0000_FFFE),
            Self.item(1, 1, hash: 0x0F0F_0F0F_FFFF_0000),
            Self.item(3, 1, .failed, hash: 0xF0F0_F0F0_0000_FFFF),
            Self.item(3, 2, hash: 0x0F0F_0F0F_FFFF_0003),
        ]
        var tally = ItemTally()
        for item in items.sorted(by: { ($0.row, $0.index) < ($1.row, $1.index) }) { tally.add(item) }
        #expect((tally.succeeded, tally.failed) == (4, 1))
        let candidates = tally.candidates
        #expect(NearDuplicate.find(in: candidates, threshold: 2) == [
            NearDuplicate(item: "2-1", duplicateOf: "1-2", distance: 1),
            NearDuplicate(item: "3-2", duplicateOf: "1-1", distance: 2),
        ])
        #expect(NearDuplicate.find(in: candidates, threshold: 1) == [NearDuplicate(item: "2-1", duplicateOf: "1-2", distance: 1)])
        #expect(NearDuplicate.find(in: candidates, threshold: 0).isEmpty)
    }

    static func row(_ number: Int, urls: Int, invalid: [Int?] = []) -> CSVRow {
        CSVRow(
            number: number, byteRange: 0..<0, fields: ["\(number)", "P", ""], product: "P",
            urls: (0..<urls).map { CSVRow.ImageURL(index: $0 + 1, url: "https://img.example/\($0 + 1).jpg") },
            invalid: invalid.map { CSVRow.Problem(index: $0, reason: "bad") }
        )
    }

    /// A row, the items recorded for it → its status, error and output URLs.
    static let outcomes: [(row: CSVRow, items: [ItemRecord], status: String, error: String, urls: [String])] = [
        (row(1, urls: 2), [item(1, 1, urls: ["u1"]), item(1, 2, urls: ["u2", "u3"])], "succeeded", "", ["u1", "u2", "u3"]),
        (row(1, urls: 2), [item(1, 1, urls: ["u1"]), item(1, 2, .failed, error: "image 2: 404")], "partial", "image 2: 404", ["u1"]),
        (row(1, urls: 2), [item(1, 1, urls: ["u1"])], "partial", "image 2: not processed before the job's deadline", ["u1"]),
        (row(1, urls: 1), [], "missing", "image 1: not processed before the job's deadline", []),
        (row(1, urls: 0, invalid: [nil]), [], "missing", "row 1: not processed before the job's deadline", []),
        (row(1, urls: 0, invalid: [nil]), [item(1, 0, .failed, error: "row 1: the product name is empty")], "failed", "row 1: the product name is empty", []),
        (row(1, urls: 1, invalid: [2]), [item(1, 1, .failed), item(1, 2, .failed)], "failed", "image 1: failed; image 2: failed", []),
    ]

    @Test("RowOutcome: a row's status, errors and output URLs from its recorded items", arguments: outcomes.indices)
    func rowOutcome(_ number: Int) {
        let expected = Self.outcomes[number]
        let outcome = RowOutcome(row: expected.row, items: Dictionary(uniqueKeysWithValues: expected.items.map { ($0.index, $0) }))
        #expect(outcome.status == expected.status)
        #expect(outcome.error == expected.error)
        #expect(outcome.outputURLs == expected.urls)
    }
}
