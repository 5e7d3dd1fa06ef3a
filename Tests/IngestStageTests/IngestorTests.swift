import Foundation
import FunctionsFramework
import GoogleCloud
import PipelineModel
import StageTestSupport
import Testing

@testable import IngestStage

/// The ingest stage constructed directly (`Ingestor`, `IngestFunction`) against the emulator in
/// process: a CSV object in, a job, its queue, its shard messages and its watchdog out.
@Suite("Ingest stage (in process)")
struct IngestorTests {
    /// Three rows, four images: row 1 has two URLs.
    static let csv = "S. No.,Product Name,Input Image Urls\r\n"
        + "1,\"Shoe, blue\",\"https://img.example/a.jpg,https://img.example/b.jpg\"\r\n"
        + "2,Hat,https://img.example/c.jpg\r\n"
        + "3,Scarf,https://img.example/d.jpg\r\n"

    private static func ingestor(_ harness: StageHarness) -> Ingestor {
        Ingestor(configuration: harness.configuration, clients: harness.clients)
    }

    @Test("a CSV becomes a running job with its total, shard messages cut at row boundaries by byte range, the job's queue and its watchdog")
    func accepted() async throws {
        try await StageHarness.run(configure: { $0.rowsPerShard = 2 }) { harness in
            let object = try await harness.uploadCSV(Self.csv)
            let job = harness.jobID(of: object)

            let outcome = try await Self.ingestor(harness).ingest(object, logger: harness.logger)
            #expect(outcome == .accepted(job: job, items: 4, shards: 2))

            let record = try #require(try await harness.job(job))
            #expect(record.status == .running)
            #expect(record.published)
            #expect(record.total == 4 && record.rows == 3 && record.invalidRows == 0 && record.shards == 2)
            #expect(try await harness.counts(job) == JobCounts(succeeded: 0, failed: 0, remaining: 4))
            #expect(record.source == JobRecord.Source(bucket: object.bucket, name: object.name, generation: try #require(object.generation)))
            #expect(record.recipe?.isEmpty == false)

            // Two shards that cover the data rows exactly, each a whole number of rows.
            let bytes = Array(Self.csv.utf8)
            let header = "S. No.,Product Name,Input Image Urls\r\n".utf8.count
            let shards = try await harness.publishedShards().sorted { $0.firstRow < $1.firstRow }
            #expect(shards.map { [$0.firstRow, $0.rows] } == [[1, 2], [3, 1]])
            #expect(shards.map { [$0.start, $0.end] } == [[header, shards[0].end], [shards[0].end, bytes.count]])
            #expect(String(decoding: bytes[shards[1].start..<shards[1].end], as: UTF8.self) == "3,Scarf,https://img.example/d.jpg\r\n")
            #expect(shards.allSatisfy { $0.job == job && $0.bucket == object.bucket && $0.object == object.name && $0.generation == object.generation })
            #expect(shards.allSatisfy { $0.header == ["S. No.", "Product Name", "Input Image Urls"] })

            #expect(try await harness.queueExists(job))
            let watchdog = try await harness.taskBody(PipelineNames.watchdogTask(job: job), queue: harness.configuration.controlQueue, as: TeardownTask.self)
            #expect(watchdog == TeardownTask(job: job, reason: .deadline))
            #expect(try await harness.teardownTask(job) == nil)
        }
    }

    @Test("a redelivered finalize event creates nothing twice: no second job write, no shard message, no task")
    func redelivered() async throws {
        try await StageHarness.run { harness in
            let object = try await harness.uploadCSV(Self.csv)
            let job = harness.jobID(of: object)
            let ingestor = Self.ingestor(harness)
            #expect(try await ingestor.ingest(object, logger: harness.logger) == .accepted(job: job, items: 4, shards: 1))
            #expect(try await harness.publishedShards().count == 1)
            let updateTime = try await harness.jobUpdateTime(job)
            let tasks = try await harness.taskNames(queue: harness.configuration.controlQueue)

            #expect(try await ingestor.ingest(object, logger: harness.logger) == .alreadyIngested(job: job))
            #expect(try await harness.publishedShards().isEmpty)
            #expect(try await harness.jobUpdateTime(job) == updateTime)
            #expect(try await harness.taskNames(queue: harness.configuration.controlQueue) == tasks)
        }
    }

    @Test("an upload the reader cannot take is rejected: the job records a reason naming the problem, an error report is written and teardown enqueued", arguments: [
        ("Product Name,Picture\nLamp,https://img.example/lamp.png\n", "noURLColumn", "\"Picture\""),
        ("S. No.,Input Image Urls\n1,https://img.example/lamp.png\n", "noProductColumn", "\"Input Image Urls\""),
        ("S. No.,Product Name,Input Image Urls\n", "noRows", "no data rows"),
        ("Product Name,Image URL,url\nLamp,https://img.example/a.png,https://img.example/b.png\n", "multipleURLColumns", "\"url\" (column 3)"),
    ])
    func rejected(csv: String, kind: String, named: String) async throws {
        try await StageHarness.run { harness in
            let object = try await harness.uploadCSV(csv)
            let job = harness.jobID(of: object)

            let outcome = try await Self.ingestor(harness).ingest(object, logger: harness.logger)
            guard case .rejected(let rejectedJob, let reason) = outcome else {
                Issue.record("expected a rejection, got \(outcome)")
                return
            }
            #expect(rejectedJob == job)
            #expect(reason.contains(named), "\(reason)")

            let record = try #require(try await harness.job(job))
            #expect(record.status == .rejected)
            #expect(record.error == reason)
            #expect(record.total == 0)
            let reportName = try #require(record.errorReport)
            let report = try JSONDecoder().decode(JobRejection.self, from: Data(try #require(try await harness.processedText(reportName)).utf8))
            #expect(report.job == job && report.kind == kind && report.reason == reason)
            #expect(try await harness.teardownTask(job) == TeardownTask(job: job, reason: .complete))
            #expect(try await harness.publishedShards().isEmpty)
            #expect(try await harness.queueExists(job) == false)

            // Redelivered: still rejected once, nothing new.
            #expect(try await Self.ingestor(harness).ingest(object, logger: harness.logger) == .alreadyIngested(job: job))
        }
    }

    @Test("object metadata: a recipe override is applied to the job; an invalid recipe or webhook URL rejects the job naming the key", arguments: [
        (["recipe": #"{"formats":["png"]}"#], nil as String?),
        (["recipe": #"{"quality":0}"#], #""recipe" metadata"#),
        (["webhook-url": "ftp://hooks.example/x"], #""webhook-url" metadata"#),
    ])
    func metadata(metadata: [String: String], rejection: String?) async throws {
        try await StageHarness.run { harness in
            let object = try await harness.uploadCSV(Self.csv, metadata: metadata)
            let job = harness.jobID(of: object)
            let outcome = try await Self.ingestor(harness).ingest(object, logger: harness.logger)
            let record = try #require(try await harness.job(job))
            if let rejection {
                #expect(record.status == .rejected)
                #expect(record.error?.contains(rejection) == true, "\(record.error ?? "")")
            } else {
                #expect(outcome == .accepted(job: job, items: 4, shards: 1))
                let recipe = try Recipe(json: Data(try #require(record.recipe).utf8))
                #expect(recipe.formats == [.png])
            }
        }
    }

    @Test("an event without a generation is a permanent error naming the object")
    func noGeneration() async throws {
        try await StageHarness.run { harness in
            let object = StorageObject(bucket: harness.configuration.uploadsBucket, name: "a.csv", size: "10")
            let error = await #expect(throws: IngestError.self) { try await Self.ingestor(harness).ingest(object, logger: harness.logger) }
            #expect(error?.isTransient == false)
            #expect(error?.description.contains("gs://\(harness.configuration.uploadsBucket)/a.csv") == true)
        }
    }

    @Test("the CloudEvent function ignores other event types, other buckets and objects that are not CSVs", arguments: [
        ("google.cloud.storage.object.v1.deleted", "uploads", "products.csv"),
        ("google.cloud.storage.object.v1.finalized", "elsewhere", "products.csv"),
        ("google.cloud.storage.object.v1.finalized", "uploads", "photo.jpg"),
    ])
    func ignoredEvents(type: String, bucket: String, name: String) async throws {
        try await StageHarness.run { harness in
            let object = try await harness.uploadCSV(Self.csv, name: name)
            var data = object
            if bucket != "uploads" { data.bucket = bucket }
            let function = IngestFunction(ingestor: Self.ingestor(harness))
            let event = CloudEvent(id: "1", source: "//storage.googleapis.com/projects/_/buckets/\(data.bucket)", type: type, data: data)
            try await function.handle(event, context: harness.context(.cloudEvent))
            #expect(try await harness.job(harness.jobID(of: object)) == nil)
            #expect(try await harness.publishedShards().isEmpty)

            // The same object as a finalize event on the uploads bucket is a job (the CSV check aside).
            if name.hasSuffix(".csv") {
                let finalize = CloudEvent(id: "2", source: event.source, type: "google.cloud.storage.object.v1.finalized", data: object)
                try await function.handle(finalize, context: harness.context(.cloudEvent))
                #expect(try await harness.job(harness.jobID(of: object))?.status == .running)
            }
        }
    }
}
