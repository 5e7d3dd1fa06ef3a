import Foundation
import GoogleCloud
import PipelineModel
import PixelPipeCore
import Testing

@Suite("Pipeline contracts")
struct PipelineContractTests {
    /// Rows as ingest and populate read them.
    static func rows(_ csv: String) throws -> [CSVRow] {
        var reader = CSVRowReader()
        return try reader.consume(Array(csv.utf8)) + reader.finish()
    }

    @Test("a row's items: one task per valid URL, one failed item per invalid URL, one for a wholly invalid row")
    func rowItems() throws {
        let rows = try Self.rows("""
        S. No.,Product Name,Input Image Urls
        1,Shirt,"https://a.example/1.jpg,ftp://a.example/2.jpg,https://a.example/3.jpg"
        2,,https://a.example/4.jpg
        3,Hat,javascript:alert(1)

        """)
        #expect(rows.map(\.itemCount) == [3, 1, 1])

        let job = JobID("0123456789abcdef")!
        // Each task carries the counter shard its caller gives its index.
        let tasks = rows[0].imageTasks(job: job, recipe: "{}") { CounterShard.shard(ofImage: 10 + $0, shards: 4) }
        #expect(tasks.map(\.index) == [1, 3])
        #expect(tasks.map(\.counter) == [3, 1])
        #expect(tasks.map(\.url) == ["https://a.example/1.jpg", "https://a.example/3.jpg"])
        #expect(tasks.allSatisfy { $0.row == 1 && $0.product == "Shirt" && $0.job == job })
        #expect(rows[1].itemIndexes == [0])

        let failed = rows[0].failedItems(recordedAt: "t")
        #expect(failed.map(\.id) == ["1-2"])
        #expect(failed[0].error?.contains("row 1, image 2") == true)
        #expect(failed[0].error?.contains("ftp") == true)

        let wholeRow = rows[1].failedItems(recordedAt: "t")
        #expect(wholeRow.map(\.id) == ["2-0"])
        #expect(wholeRow[0].error == "row 2: the product name is empty")
        #expect(rows[1].imageTasks(job: job, recipe: "{}").isEmpty)

        #expect(rows[2].failedItems(recordedAt: "t")[0].error?.contains("javascript") == true)
    }

    @Test("output links: public Storage URLs by default, the emulator's download URL under the emulator, a custom base when set")
    func links() throws {
        let name = "0123/blue shoe/1-1-thumb.webp"
        #expect(ObjectLinks.publicStorage.url(bucket: "out", name: name) == "https://storage.googleapis.com/out/0123/blue%20shoe/1-1-thumb.webp")
        let emulator = try ObjectLinks(environment: EnvironmentValues(["STORAGE_EMULATOR_HOST": "http://127.0.0.1:8085/"]))
        #expect(emulator.url(bucket: "out", name: name) == "http://127.0.0.1:8085/download/storage/v1/b/out/o/0123%2Fblue%20shoe%2F1-1-thumb.webp?alt=media")
        let custom = try ObjectLinks(environment: EnvironmentValues(["OUTPUT_URL_BASE": "https://cdn.example.com/i", "STORAGE_EMULATOR_HOST": "http://x"]))
        #expect(custom.url(bucket: "out", name: "a/b.jpg") == "https://cdn.example.com/i/out/a/b.jpg")
        #expect(throws: ConfigurationError.self) { try ObjectLinks(environment: EnvironmentValues(["OUTPUT_URL_BASE": "cdn.example.com"])) }
    }

    @Test("pipeline configuration: a project is required, defaults match infra/pipeline.yaml, malformed values name their variable")
    func configuration() throws {
        #expect(throws: ConfigurationError.missing("GOOGLE_CLOUD_PROJECT")) { try PipelineConfiguration(environment: EnvironmentValues([:])) }

        let defaults = try PipelineConfiguration(environment: EnvironmentValues(["GOOGLE_CLOUD_PROJECT": "p"]))
        #expect(defaults.uploadsBucket == "pixelpipe-uploads" && defaults.processedBucket == "pixelpipe-processed")
        #expect(defaults.shardsTopic == "shards" && defaults.controlQueue == "control")
        #expect(defaults.imageQueue.retryConfig.maxAttempts == 5)
        #expect(defaults.imageQueue.retryConfig.minBackoff == "1s")
        #expect(defaults.webhookAddresses == .publicOnly)
        #expect(throws: ConfigurationError.missing("PIXELPIPE_PROCESS_URL")) { try defaults.requireProcessURL() }

        let tuned = try PipelineConfiguration(environment: EnvironmentValues([
            "GOOGLE_CLOUD_PROJECT": "p", "IMAGE_QUEUE_MIN_BACKOFF": "0.1", "IMAGE_QUEUE_MAX_ATTEMPTS": "3", "SHARD_ROWS": "7",
            "WEBHOOK_ALLOW_NETWORKS": "127.0.0.0/8", "IMAGE_RECIPE": #"{"sizes":[{"name":"s","width":64}],"formats":["png"]}"#,
        ]))
        #expect(tuned.imageQueue.retryConfig.minBackoff == "0.100s")
        #expect(tuned.imageQueue.maxAttempts == 3 && tuned.rowsPerShard == 7)
        #expect(tuned.recipe.formats == [.png])
        #expect(tuned.webhookAddresses != .publicOnly)

        #expect(throws: ConfigurationError.self) { try PipelineConfiguration(environment: EnvironmentValues(["GOOGLE_CLOUD_PROJECT": "p", "SHARD_ROWS": "0"])) }
        #expect(throws: ConfigurationError.self) { try PipelineConfiguration(environment: EnvironmentValues(["GOOGLE_CLOUD_PROJECT": "p", "IMAGE_RECIPE": "{"])) }
    }

    @Test("job and item documents survive the round trip through Firestore's typed values")
    func documents() throws {
        let created = Date(timeIntervalSince1970: 1_800_000_000)
        let job = JobRecord(id: JobID("0123456789abcdef")!, source: .init(bucket: "b", name: "p.csv", generation: "17"), total: 3, rows: 2, invalidRows: 1,
                            shards: 1, counterShards: 2, recipe: "{}", webhookURL: "https://hooks.example/x", createdAt: created, deadline: created.addingTimeInterval(3600))
        let fields = try FirestoreCoding.fields(from: job)
        #expect(fields["status"] == .string("running"))
        #expect(fields["id"] == .string("0123456789abcdef"))
        #expect(fields["counterShards"] == .integer(2))
        #expect(try FirestoreCoding.decode(JobRecord.self, from: fields) == job)
        #expect(job.createdAt == "2027-01-15T08:00:00.000Z")
        #expect(Timestamp.parse(job.deadline) == created.addingTimeInterval(3600))
        let state = JobState(record: job, counters: [.init(succeeded: 1, remaining: 1, lastItemAt: "2027-01-15T08:00:01.000Z"), .init(remaining: 1)])
        #expect((state.succeeded, state.failed, state.remaining) == (1, 0, 2))
        #expect(abs(state.progress - 1.0 / 3.0) < 1e-9)
        #expect(state.lastItemAt == "2027-01-15T08:00:01.000Z")

        let item = ItemRecord(row: 2, index: 1, url: "https://a/1.jpg", product: "Shirt", status: .succeeded,
                              outputs: [.init(size: "thumb", format: "webp", width: 200, height: 150, object: "j/shirt/2-1-thumb.webp", url: "u", contentType: "image/webp", bytes: 1234)],
                              analysis: ImageAnalysis(width: 800, height: 600, format: .jpeg, hasAlpha: false, dominantColor: "#336699", perceptualHash: PerceptualHash(0xDEADBEEF00112233)),
                              attempt: 2, recordedAt: "t")
        #expect(try FirestoreCoding.decode(ItemRecord.self, from: try FirestoreCoding.fields(from: item)) == item)
    }
}

@Suite("The job contract")
struct JobContractTests {
    static let created = Date(timeIntervalSince1970: 1_800_000_000)

    static func job(total: Int, shards: Int) -> JobRecord {
        JobRecord(id: JobID("0123456789abcdef")!, source: .init(bucket: "up", name: "p.csv", generation: "17"), total: total, rows: total, invalidRows: 0,
                  shards: 1, counterShards: shards, recipe: nil, webhookURL: nil, createdAt: created, deadline: created.addingTimeInterval(3600))
    }

    @Test("a job gets about one counter shard per dispatch a second (at most 400), never fewer than ten items a shard")
    func shardCount() {
        #expect(CounterShard.count(items: 1_000_000, dispatchesPerSecond: 200) == 200)
        #expect(CounterShard.count(items: 2_000, dispatchesPerSecond: 500) == 200)
        #expect(CounterShard.count(items: 10_000, dispatchesPerSecond: 500) == 400)
        #expect(CounterShard.count(items: 3, dispatchesPerSecond: 200) == 1)
        #expect(CounterShard.count(items: 1_000, dispatchesPerSecond: 200) == 100)  // ten items a shard at least
        #expect(CounterShard.count(items: 0, dispatchesPerSecond: 200) == 1)
        #expect(CounterShard.count(items: 100, dispatchesPerSecond: 1) == 1)
    }

    @Test("each message's images spread round-robin from its own offset, its failed items go to one shard, and each shard expects exactly what it gets",
          arguments: [(1, 1, 1), (7, 3, 2), (2_000, 100, 1_000), (12_345, 250, 500), (100_000, 100, 1_000)])
    func shardPlan(images: Int, shards: Int, perMessage: Int) {
        let imagesPerMessage = stride(from: 0, to: images, by: perMessage).map { min(perMessage, images - $0) }
        // Failed items in every third message, as populate records them: one batch per message.
        let failedPerMessage = imagesPerMessage.indices.map { $0 % 3 == 1 ? 5 : 0 }
        let plan = CounterShard.plan(imagesPerMessage: imagesPerMessage, failedPerMessage: failedPerMessage, shards: shards)
        var got = Array(repeating: 0, count: shards)
        for (message, count) in imagesPerMessage.enumerated() {
            for image in 0..<count { got[CounterShard.shard(ofImage: image, inMessage: message, shards: shards)] += 1 }
        }
        for (message, failed) in failedPerMessage.enumerated() { got[CounterShard.shard(ofFailedItemsIn: message, shards: shards)] += failed }
        #expect(plan.map(\.remaining) == got)
        #expect(plan.reduce(0) { $0 + $1.remaining } == images + failedPerMessage.reduce(0, +))
        // Consecutive images of a message land on different shards.
        #expect(Set((0..<min(perMessage, shards)).map { CounterShard.shard(ofImage: $0, inMessage: 1, shards: shards) }).count == min(perMessage, shards))
        // Messages dispatched side by side, image by image, hit different shards: in step, the
        // images the first 10 messages have at the same position spread over 10 shards
        // (plain image numbers would put all of them on one shard when a message holds a multiple of N).
        if imagesPerMessage.count >= 10, shards >= 10 {
            #expect(Set((0..<10).map { CounterShard.shard(ofImage: 7, inMessage: $0, shards: shards) }).count == 10)
        }
        #expect(CounterShard.plan(total: images, shards: shards) == CounterShard.plan(imagesPerMessage: [images], failedPerMessage: [], shards: shards))
    }

    @Test("item document ids sort in row, then image order")
    func itemOrder() {
        let pairs = [(1, 0), (1, 2), (1, 10), (2, 1), (9, 3), (10, 1), (100, 100), (999_999, 1), (1_000_000, 1)]
        let ids = pairs.map { PipelineNames.itemDocumentID(row: $0.0, index: $0.1) }
        #expect(ids == ids.sorted())
        #expect(PipelineNames.itemDocumentID(row: 12, index: 3) == "000000000012-0000003")
    }

    @Test("a field update writes exactly the fields it sets, under the names the record reads")
    func update() throws {
        let update = JobRecord.Update(status: .finished, published: true, finalCounts: .init(succeeded: 2, failed: 1, missing: 0), nearDuplicates: [])
        let (fields, mask) = try update.fields()
        #expect(mask == ["finalCounts", "nearDuplicates", "published", "status"])
        var record = Self.job(total: 3, shards: 1)
        var written = try FirestoreCoding.fields(from: record)
        for key in mask { written[key] = fields[key] }
        update.apply(to: &record)
        #expect(try FirestoreCoding.decode(JobRecord.self, from: written) == record)
        #expect(try JobRecord.Update().fields().mask.isEmpty)
    }

    @Test("one JSON shape: live counts while running, the frozen ones once finalized")
    func view() throws {
        var record = Self.job(total: 4, shards: 2)
        let counters = [CounterShard(succeeded: 1, failed: 1, remaining: 0), CounterShard(succeeded: 1, remaining: 1)]
        let running = JobView(JobState(record: record, counters: counters), links: .publicStorage, bucket: "out")
        #expect((running.job.rawValue, running.succeeded, running.failed, running.remaining, running.missing) == ("0123456789abcdef", 2, 1, 1, 0))
        #expect(running.progress == 0.75)
        #expect(running.source == "gs://up/p.csv#17")

        record.status = .timedOut
        record.finalCounts = .init(succeeded: 2, failed: 1, missing: 1)
        record.missing = 1
        record.outputCSV = "0123456789abcdef/output.csv"
        record.finalizedAt = "2027-01-15T09:00:00.000Z"
        // A late item counted after finalization does not change what is shown or signed.
        let late = [CounterShard(succeeded: 1, failed: 1, remaining: 0), CounterShard(succeeded: 2, remaining: 0)]
        let final = JobView(JobState(record: record, counters: late), links: .publicStorage, bucket: "out")
        #expect(try final.encoded() == JobView(JobState(record: record, counters: counters), links: .publicStorage, bucket: "out").encoded())
        let json = try #require(try JSONSerialization.jsonObject(with: final.encoded()) as? [String: Any])
        #expect(Set(json.keys) == ["job", "status", "source", "total", "succeeded", "failed", "remaining", "missing", "cancelled", "progress", "createdAt", "deadline", "finalizedAt", "outputCSV", "nearDuplicates"])
        #expect(json["outputCSV"] as? String == "https://storage.googleapis.com/out/0123456789abcdef/output.csv")
        #expect(json["missing"] as? Int == 1 && json["remaining"] as? Int == 1 && json["succeeded"] as? Int == 2)
    }
}
