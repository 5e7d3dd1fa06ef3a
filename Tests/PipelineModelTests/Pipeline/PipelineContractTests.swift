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

        let tasks = rows[0].imageTasks(job: "j", recipe: "{}")
        #expect(tasks.map(\.index) == [1, 3])
        #expect(tasks.map(\.url) == ["https://a.example/1.jpg", "https://a.example/3.jpg"])
        #expect(tasks.allSatisfy { $0.row == 1 && $0.product == "Shirt" && $0.job == "j" })

        let failed = rows[0].failedItems(recordedAt: "t")
        #expect(failed.map(\.id) == ["1-2"])
        #expect(failed[0].error?.contains("row 1, image 2") == true)
        #expect(failed[0].error?.contains("ftp") == true)

        let wholeRow = rows[1].failedItems(recordedAt: "t")
        #expect(wholeRow.map(\.id) == ["2-0"])
        #expect(wholeRow[0].error == "row 2: the product name is empty")
        #expect(rows[1].imageTasks(job: "j", recipe: "{}").isEmpty)

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
        var job = JobRecord(id: "0123456789abcdef", source: .init(bucket: "b", name: "p.csv", generation: "17"), total: 3, rows: 2, invalidRows: 1,
                            shards: 1, recipe: "{}", webhookURL: "https://hooks.example/x", createdAt: created, deadline: created.addingTimeInterval(3600))
        job.succeeded = 1
        job.remaining = 2
        let fields = try FirestoreCoding.fields(from: job)
        #expect(fields["status"] == .string("running"))
        #expect(fields["remaining"] == .integer(2))
        #expect(try FirestoreCoding.decode(JobRecord.self, from: fields) == job)
        #expect(job.createdAt == "2027-01-15T08:00:00.000Z")
        #expect(Timestamp.parse(job.deadline) == created.addingTimeInterval(3600))
        #expect(abs(job.progress - 1.0 / 3.0) < 1e-9)

        let item = ItemRecord(row: 2, index: 1, url: "https://a/1.jpg", product: "Shirt", status: .succeeded,
                              outputs: [.init(size: "thumb", format: "webp", width: 200, height: 150, object: "j/shirt/2-1-thumb.webp", url: "u", contentType: "image/webp", bytes: 1234)],
                              analysis: ImageAnalysis(width: 800, height: 600, format: .jpeg, hasAlpha: false, dominantColor: "#336699", perceptualHash: PerceptualHash(0xDEADBEEF00112233)),
                              attempt: 2, recordedAt: "t")
        #expect(try FirestoreCoding.decode(ItemRecord.self, from: try FirestoreCoding.fields(from: item)) == item)
    }
}
