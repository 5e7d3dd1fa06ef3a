import Foundation
import FunctionsFramework
import GoogleCloud
import PipelineModel
import StageTestSupport
import Testing

@testable import PopulateStage

/// The populate stage constructed directly (`ShardPopulator`, `PopulateFunction`) against the
/// emulator in process: a shard message in, one task per valid image and the invalid items
/// recorded as failed out.
@Suite("Populate stage (in process)")
struct ShardPopulatorTests {
    static let header = "S. No.,Product Name,Input Image Urls\r\n"
    /// Row 1: two valid URLs and one that is not a URL; row 2: no product (wholly invalid); row 3: one URL.
    static let rows = "1,\"Shoe, blue\",\"https://img.example/a.jpg,ftp://img.example/x.jpg,https://img.example/b.jpg\"\r\n"
        + "2,,https://img.example/c.jpg\r\n"
        + "3,Scarf,https://img.example/d.jpg\r\n"
    static let recipe = #"{"formats":["webp"]}"#

    /// The uploaded CSV, its job (running, `total` 5) and the one shard covering every row.
    private static func setUp(_ harness: StageHarness, job: JobID = "0123456789abcdef") async throws -> ShardMessage {
        let object = try await harness.uploadCSV(header + rows)
        let generation = try #require(object.generation)
        try await harness.writeJob(harness.runningJob(job, total: 5, rows: 3, recipe: recipe, source: .init(bucket: object.bucket, name: object.name, generation: generation)))
        return ShardMessage(
            job: job, bucket: object.bucket, object: object.name, generation: generation, header: ["S. No.", "Product Name", "Input Image Urls"],
            start: header.utf8.count, end: (header + rows).utf8.count, firstRow: 1, rows: 3
        )
    }

    private static func populator(_ harness: StageHarness) -> ShardPopulator {
        ShardPopulator(configuration: harness.configuration, clients: harness.clients)
    }

    @Test("a shard becomes one task per valid URL, named JOB-ROW-INDEX, carrying the image and the job's recipe; invalid rows and URLs are failed items")
    func populate() async throws {
        try await StageHarness.run { harness in
            let shard = try await Self.setUp(harness)
            let job = shard.job
            let outcome = try await Self.populator(harness).populate(shard, logger: harness.logger)
            #expect(outcome == ShardPopulator.Outcome(created: 3, existing: 0, failed: 2))

            let queue = PipelineNames.imageQueue(job: job)
            #expect(try await harness.taskNames(queue: queue) == ["\(job)-1-1", "\(job)-1-3", "\(job)-3-1"])
            let task = try #require(try await harness.taskBody("\(job)-1-3", queue: queue, as: ImageTask.self))
            #expect(task == ImageTask(job: job, row: 1, index: 3, url: "https://img.example/b.jpg", product: "Shoe, blue", recipe: Self.recipe, counter: 0))  // the job has one counter shard

            let failed = try await harness.items(job)
            #expect(failed.map(\.id) == ["1-2", "2-0"])
            #expect(failed.allSatisfy { $0.status == .failed && $0.url == nil })
            #expect(failed[0].error?.contains("row 1, image 2") == true && failed[0].error?.contains("ftp") == true)
            #expect(failed[1].error == "row 2: the product name is empty")
            #expect(try await harness.counts(job) == JobCounts(succeeded: 0, failed: 2, remaining: 3))
        }
    }

    @Test("a redelivered shard creates no task twice and counts its invalid items once")
    func redelivered() async throws {
        try await StageHarness.run { harness in
            let shard = try await Self.setUp(harness)
            let populator = Self.populator(harness)
            _ = try await populator.populate(shard, logger: harness.logger)
            let again = try await populator.populate(shard, logger: harness.logger)
            #expect(again == ShardPopulator.Outcome(created: 0, existing: 3, failed: 0))
            #expect(try await harness.taskNames(queue: PipelineNames.imageQueue(job: shard.job)).count == 3)
            #expect(try await harness.counts(shard.job) == JobCounts(succeeded: 0, failed: 2, remaining: 3))
        }
    }

    @Test("a shard of a job already final creates nothing; of a running job whose queue is missing, it is retried (transient)")
    func jobFinishedOrQueueMissing() async throws {
        try await StageHarness.run { harness in
            let shard = try await Self.setUp(harness)
            try await harness.clients.tasks.deleteQueue(PipelineNames.imageQueue(job: shard.job))
            let error = await #expect(throws: PopulateError.self) { try await Self.populator(harness).populate(shard, logger: harness.logger) }
            #expect(error?.isTransient == true)

            var record = try #require(try await harness.job(shard.job))
            record.status = .timedOut
            try await harness.writeJob(record, createQueue: false)
            let outcome = try await Self.populator(harness).populate(shard, logger: harness.logger)
            #expect(outcome == ShardPopulator.Outcome(jobFinished: true))
        }
    }

    @Test("shards that cannot be populated are classified: unknown job, malformed ids and ranges permanent; a CSV gone permanent", arguments: [
        "unknownJob", "badRange", "wrongRowCount", "csvGone",
    ])
    func unusableShards(_ problem: String) async throws {
        try await StageHarness.run { harness in
            var shard = try await Self.setUp(harness)
            switch problem {
            case "unknownJob": shard.job = "ffffffffffffffff"
            case "badRange": shard.end = shard.start
            case "wrongRowCount": shard.rows = 2
            default: try await harness.clients.storage.delete(bucket: shard.bucket, name: shard.object)
            }
            let error = await #expect(throws: PopulateError.self) { try await Self.populator(harness).populate(shard, logger: harness.logger) }
            #expect(error?.isTransient == false)
            #expect(try await harness.taskNames(queue: PipelineNames.imageQueue(job: "0123456789abcdef")).isEmpty)
        }
    }

    @Test("a shard message naming a malformed job id does not decode, naming the id (the push is answered 400)")
    func malformedJobID() throws {
        let body = #"{"job":"../etc","bucket":"b","object":"o.csv","generation":"1","header":["url"],"start":0,"end":10,"firstRow":1,"rows":1}"#
        let error = #expect(throws: DecodingError.self) { try JSONDecoder().decode(ShardMessage.self, from: Data(body.utf8)) }
        #expect(String(describing: error).contains("../etc"))
    }

    @Test("the push function hands the message's shard to the populator")
    func pushFunction() async throws {
        try await StageHarness.run { harness in
            let shard = try await Self.setUp(harness)
            let function = PopulateFunction(populator: Self.populator(harness))
            let push = PubSubPush(message: PubSubMessage(data: shard, messageID: "1"), subscription: "projects/p/subscriptions/populate")
            try await function.handle(push, context: harness.context(.pubSubPush))
            #expect(try await harness.taskNames(queue: PipelineNames.imageQueue(job: shard.job)).count == 3)
        }
    }
}
