import Foundation
import GoogleCloud
import PipelineModel
import PixelPipeCore
import Testing
import TestSupport

/// The real `emulator` (APIs only) and the real `process` binary as child processes, with the
/// processed bucket, a bucket of source images, a paused control queue and the Runtime clients
/// to look at what `process` did. Both processes are stopped with SIGTERM when the test's body
/// ends, and killed (by `ChildProcess` letting go) when it throws.
struct ProcessBinary {
    static let project = "pixelpipe-test"
    static let sources = "sources"
    static let maxAttempts = 3
    /// `MAX_IMAGE_BYTES`, small so that "too large" is quick to show.
    static let maxImageBytes = 100_000
    /// Two sizes × two formats: enough to show every output, small enough to be quick.
    static let recipe = #"{"sizes":[{"name":"small","width":64,"height":64,"fit":"inside"},{"name":"tiny","width":16,"height":16,"fit":"cover"}],"formats":["jpeg","webp"]}"#

    let emulatorURL: String
    let port: Int
    let clients: PipelineClients
    let configuration: PipelineConfiguration
    let process: ChildProcess
    let http = HTTPClient()

    /// Starts both processes around `body`, then stops them.
    static func run<T: Sendable>(_ body: (ProcessBinary) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("process-stage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let emulator = try ChildProcess("emulator", arguments: ["up", "--port", "0", "--data-dir", directory.path, "--pipeline", "none", "--log-format", "json"])
        let emulatorURL = try await emulator.logField("pixelpipe.url", ofMessage: "emulator listening")
        let hostPort = String(emulatorURL.dropFirst("http://".count))
        let endpoints = [
            "STORAGE_EMULATOR_HOST": emulatorURL, "FIRESTORE_EMULATOR_HOST": hostPort,
            "CLOUD_TASKS_EMULATOR_HOST": hostPort, "PUBSUB_EMULATOR_HOST": hostPort,
        ]
        var configuration = PipelineConfiguration(project: project, links: .storageAPI(base: emulatorURL))
        configuration.teardownURL = "http://127.0.0.1:9/teardown"
        configuration.imageQueue.maxAttempts = maxAttempts
        let clients = PipelineClients(api: GoogleAPIClient(environment: EnvironmentValues(endpoints)), configuration: configuration)
        try await clients.storage.createBucket(configuration.processedBucket, project: project)
        try await clients.storage.createBucket(sources, project: project)
        // Paused, so teardown tasks stay in the queue where the test can read them.
        try await clients.tasks.createQueue(configuration.controlQueue)
        try await clients.tasks.pauseQueue(configuration.controlQueue)

        var environment = endpoints
        environment.merge([
            "PORT": "0", "HOST": "127.0.0.1", "LOG_FORMAT": "json", "GOOGLE_CLOUD_PROJECT": project,
            "DOWNLOAD_ALLOW_NETWORKS": "127.0.0.0/8", "PIXELPIPE_TEARDOWN_URL": configuration.teardownURL!,
            "IMAGE_RECIPE": recipe, "IMAGE_QUEUE_MAX_ATTEMPTS": String(maxAttempts), "IMAGE_WORKERS": "1",
            "MAX_IMAGE_BYTES": String(maxImageBytes),
        ]) { _, new in new }
        let process = try ChildProcess("process", environment: environment)
        let port = try #require(Int(try await process.logField("pixelpipe.port", ofMessage: "serving")))
        let stage = ProcessBinary(emulatorURL: emulatorURL, port: port, clients: clients, configuration: configuration, process: process)
        let result = try await body(stage)
        process.send(SIGTERM)
        #expect(try await process.exitStatus() == 0)
        emulator.send(SIGTERM)
        _ = try await emulator.exitStatus()
        return result
    }

    /// Counter shards of every test job: two, so that completing a job takes one shard
    /// completing after the other (item of row R, image 1, counts on shard (R - 1) % 2).
    static let counterShards = 2

    /// Creates `jobs/ID` and its counter shards as ingest would, expecting `total` items.
    func createJob(_ id: JobID, total: Int) async throws {
        let record = JobRecord(
            id: id, source: .init(bucket: "pixelpipe-uploads", name: "\(id).csv", generation: "1"), total: total, rows: total,
            invalidRows: 0, shards: 1, counterShards: Self.counterShards, recipe: Self.recipe, webhookURL: nil, createdAt: Date(), deadline: Date() + 3600
        )
        #expect(try await jobs.create(record))
    }

    var jobs: JobStore { JobStore(firestore: clients.firestore) }

    /// Stores `data` in the sources bucket and returns its download URL (served by the emulator on 127.0.0.1).
    func source(_ name: String, _ data: Data, contentType: String) async throws -> String {
        try await clients.storage.upload(data, bucket: Self.sources, name: name, options: .init(contentType: contentType))
        return configuration.links.url(bucket: Self.sources, name: name)
    }

    /// Delivers `task` as Cloud Tasks would, on attempt `retryCount + 1`.
    func deliver(_ task: ImageTask, retryCount: Int = 0) async throws -> HTTPClient.Response {
        try await http.execute(.init(
            method: "POST",
            url: "http://127.0.0.1:\(port)/",
            headers: [
                ("Content-Type", "application/json"),
                ("X-CloudTasks-QueueName", PipelineNames.imageQueue(job: task.job)),
                ("X-CloudTasks-TaskName", PipelineNames.imageTask(job: task.job, row: task.row, index: task.index)),
                ("X-CloudTasks-TaskRetryCount", String(retryCount)),
                ("X-CloudTasks-TaskExecutionCount", String(retryCount)),
            ],
            body: try JSONEncoder().encode(task)
        ))
    }

    func task(job: JobID, row: Int, url: String, product: String = "Blue Shoe") -> ImageTask {
        ImageTask(job: job, row: row, index: 1, url: url, product: product, recipe: Self.recipe,
                  counter: CounterShard.shard(ofImage: row - 1, shards: Self.counterShards))
    }

    /// The job with its counts summed over its counter shards.
    func job(_ id: JobID) async throws -> JobState {
        try #require(try await jobs.state(id))
    }

    func item(_ job: JobID, row: Int, index: Int = 1) async throws -> ItemRecord? {
        try await jobs.item(job, row: row, index: index)
    }

    /// The body of the job's `teardown-JOB` task on the (paused) control queue, or nil. Read with
    /// `responseView=FULL`, as Cloud Tasks leaves the body out of the default view.
    func teardownTask(_ job: JobID) async throws -> TeardownTask? {
        let name = clients.tasks.taskName(PipelineNames.teardownTask(job: job), queue: configuration.controlQueue)
        let response = try await http.get("\(emulatorURL)/v2/\(name)?responseView=FULL")
        guard response.status != 404 else { return nil }
        #expect(response.status == 200)
        let task = try JSONDecoder().decode(CloudTask.self, from: response.body)
        #expect(task.httpRequest.url == configuration.teardownURL)
        return try JSONDecoder().decode(TeardownTask.self, from: try #require(task.httpRequest.body))
    }

    func get(_ path: String) async throws -> (status: Int, json: [String: Any]) {
        let response = try await http.get("http://127.0.0.1:\(port)\(path)")
        return (response.status, (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]) ?? [:])
    }

    func post(_ path: String, body: Data, contentType: String) async throws -> (status: Int, json: [String: Any]) {
        let response = try await http.execute(.init(method: "POST", url: "http://127.0.0.1:\(port)\(path)", headers: [("Content-Type", contentType)], body: body))
        return (response.status, (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]) ?? [:])
    }
}

/// Small test images made with the `vips` command-line tool (installed with libvips).
enum GeneratedImage {
    /// A `width` × `height` grey ramp encoded as `format` (`jpg`, `png`).
    static func ramp(width: Int, height: Int, format: String) async throws -> Data {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ramp-\(UUID().uuidString).\(format)")
        defer { try? FileManager.default.removeItem(at: file) }
        let vips = try ChildProcess(executable: URL(fileURLWithPath: "/usr/bin/env"), arguments: ["vips", "grey", file.path, "\(width)", "\(height)", "--uchar"])
        #expect(try await vips.exitStatus() == 0)
        return try Data(contentsOf: file)
    }
}

/// The real `process` binary: its start-up checks, one task's whole path and the HTTP routes.
/// The failure policy and the ledger's idempotence are shown in process, in ProcessStageTests.
@Suite("process stage (binary against the emulator)")
struct ProcessBinaryTests {
    @Test("a task stores every output with its Content-Type, records the item with analysis and counts it once; the last item enqueues teardown-JOB")
    func taskLifecycle() async throws {
        try await ProcessBinary.run { stage in
            let job = JobID("0123456789abcdef")!
            try await stage.createJob(job, total: 2)
            let jpegURL = try await stage.source("photo.jpg", try await GeneratedImage.ramp(width: 160, height: 120, format: "jpg"), contentType: "image/jpeg")
            let pngURL = try await stage.source("photo.png", try await GeneratedImage.ramp(width: 90, height: 60, format: "png"), contentType: "image/png")

            let first = stage.task(job: job, row: 1, url: jpegURL)
            #expect(try await stage.deliver(first).status == 204)

            let item = try #require(try await stage.item(job, row: 1))
            #expect(item.status == .succeeded)
            #expect(item.error == nil)
            #expect(item.attempt == 1)
            #expect(item.analysis?.width == 160)
            #expect(item.analysis?.height == 120)
            #expect(item.analysis?.format.rawValue == "jpeg")
            #expect(Set(item.outputs.map { "\($0.size).\($0.format)" }) == ["small.jpeg", "small.webp", "tiny.jpeg", "tiny.webp"])
            for output in item.outputs {
                let ext = output.format == "jpeg" ? "jpg" : output.format
                #expect(output.object == "\(job)/blue-shoe/1-1-\(output.size).\(ext)")
                #expect(output.contentType == "image/\(output.format)")
                let stored = try await stage.clients.storage.metadata(bucket: stage.configuration.processedBucket, name: output.object)
                #expect(stored.contentType == output.contentType)
                #expect(stored.byteCount == Int64(output.bytes))
                // The link in the item downloads the object itself.
                let download = try await stage.http.get(output.url)
                #expect(download.status == 200)
                #expect(download.body.count == output.bytes)
            }
            let small = try #require(item.outputs.first { $0.size == "small" && $0.format == "jpeg" })
            #expect(small.width == 64 && small.height == 48)
            var record = try await stage.job(job)
            #expect((record.succeeded, record.failed, record.remaining) == (1, 0, 1))
            #expect(try await stage.teardownTask(job) == nil)

            // The same task again (its first answer was lost): no new count, no new work.
            #expect(try await stage.deliver(first, retryCount: 1).status == 204)
            record = try await stage.job(job)
            #expect((record.succeeded, record.failed, record.remaining) == (1, 0, 1))
            #expect(try await stage.item(job, row: 1) == item)

            // The last item completes the job and enqueues its teardown.
            #expect(try await stage.deliver(stage.task(job: job, row: 2, url: pngURL, product: "Red Hat")).status == 204)
            record = try await stage.job(job)
            #expect((record.succeeded, record.failed, record.remaining) == (2, 0, 0))
            #expect(try await stage.item(job, row: 2)?.analysis?.format.rawValue == "png")
            #expect(try await stage.teardownTask(job) == TeardownTask(job: job, reason: .complete))

            // Repeating the last task changes no count and keeps the one teardown task.
            #expect(try await stage.deliver(stage.task(job: job, row: 2, url: pngURL, product: "Red Hat"), retryCount: 1).status == 204)
            record = try await stage.job(job)
            #expect((record.succeeded, record.failed, record.remaining) == (2, 0, 0))
        }
    }

    @Test("process without GOOGLE_CLOUD_PROJECT or PIXELPIPE_TEARDOWN_URL stops with status 78 naming the variable", arguments: ["GOOGLE_CLOUD_PROJECT", "PIXELPIPE_TEARDOWN_URL"])
    func requiredConfiguration(_ missing: String) async throws {
        var environment = ["PORT": "0", "HOST": "127.0.0.1", "GOOGLE_CLOUD_PROJECT": "p", "PIXELPIPE_TEARDOWN_URL": "http://127.0.0.1:9/"]
        environment[missing] = nil
        let child = try ChildProcess("process", environment: environment)
        #expect(try await child.exitStatus() == 78)
        try await child.outputEnded()
        #expect(child.lines.joined().contains(missing))
    }

    @Test("POST /process answers outputs and analysis for a URL or an image body; GET /jobs/{id} answers status, counts and progress")
    func httpRoutes() async throws {
        try await ProcessBinary.run { stage in
            let image = try await GeneratedImage.ramp(width: 120, height: 80, format: "jpg")
            let url = try await stage.source("direct.jpg", image, contentType: "image/jpeg")

            // JSON with a URL and a partial recipe merged over the configured default.
            let byURL = try await stage.post("/process", body: Data(#"{"url":"\#(url)","recipe":{"formats":["png"]}}"#.utf8), contentType: "application/json")
            #expect(byURL.status == 200)
            let outputs = try #require(byURL.json["outputs"] as? [[String: Any]])
            #expect(outputs.map { "\($0["size"] ?? "").\($0["format"] ?? "")" } == ["small.png", "tiny.png"])
            for output in outputs {
                let object = try #require(output["object"] as? String)
                #expect(object.range(of: #"^direct/[0-9a-f]{16}/(small|tiny)\.png$"#, options: .regularExpression) != nil)
                let stored = try await stage.clients.storage.metadata(bucket: stage.configuration.processedBucket, name: object)
                #expect(stored.contentType == "image/png")
                #expect(stored.byteCount == (output["bytes"] as? Int).map(Int64.init))
                let download = try await stage.http.get(try #require(output["url"] as? String))
                #expect(download.status == 200)
            }
            let analysis = try #require(byURL.json["analysis"] as? [String: Any])
            #expect(analysis["width"] as? Int == 120)
            #expect(analysis["height"] as? Int == 80)
            #expect(analysis["format"] as? String == "jpeg")
            #expect((analysis["perceptualHash"] as? String)?.isEmpty == false)

            // The image itself as the body, with the default recipe; the same request, the same objects.
            let byBody = try await stage.post("/process", body: image, contentType: "image/jpeg")
            #expect(byBody.status == 200)
            let bodyOutputs = try #require(byBody.json["outputs"] as? [[String: Any]])
            #expect(bodyOutputs.compactMap { $0["contentType"] as? String } == ["image/jpeg", "image/webp", "image/jpeg", "image/webp"])
            let again = try await stage.post("/process", body: image, contentType: "image/jpeg")
            #expect((again.json["outputs"] as? [[String: Any]])?.compactMap { $0["object"] as? String } == bodyOutputs.compactMap { $0["object"] as? String })

            // A recipe in the query for an image body.
            let webpOnly = try await stage.post("/process?recipe=%7B%22formats%22%3A%5B%22webp%22%5D%7D", body: image, contentType: "image/jpeg")
            #expect((webpOnly.json["outputs"] as? [[String: Any]])?.compactMap { $0["format"] as? String } == ["webp", "webp"])

            // Bad requests say what is wrong.
            let badJSON = try await stage.post("/process", body: Data(#"{"url": 7}"#.utf8), contentType: "application/json")
            #expect(badJSON.status == 400)
            #expect(Self.message(badJSON.json).contains("'url'"))
            let badRecipe = try await stage.post("/process", body: Data(#"{"url":"\#(url)","recipe":{"quality":0}}"#.utf8), contentType: "application/json")
            #expect(badRecipe.status == 400)
            #expect(Self.message(badRecipe.json).contains("quality"))
            let missing = url.replacingOccurrences(of: "direct.jpg", with: "absent.jpg")
            let unknownKey = try await stage.post("/process", body: Data(#"{"url":"\#(url)","recipe":{"qualty":80}}"#.utf8), contentType: "application/json")
            #expect(unknownKey.status == 400)
            #expect(Self.message(unknownKey.json) == "recipe: unknown recipe key qualty; did you mean 'quality'?")
            let misspeltRecipe = try await stage.post("/process", body: Data(#"{"url":"\#(url)","recipie":{"quality":80}}"#.utf8), contentType: "application/json")
            #expect(misspeltRecipe.status == 400)
            #expect(Self.message(misspeltRecipe.json) == "the body: unknown key recipie; did you mean 'recipe'?")

            // Over the output budget: 422 naming the budget, before the (missing) source is fetched.
            let fourHuge = (1...4).map { #"{"name":"s\#($0)","width":8192,"height":8192,"fit":"fill"}"# }.joined(separator: ",")
            let perImage = try await stage.post("/process", body: Data(#"{"url":"\#(missing)","recipe":{"sizes":[\#(fourHuge)],"formats":["jpeg","webp","png"]}}"#.utf8), contentType: "application/json")
            #expect(perImage.status == 422)
            #expect(Self.message(perImage.json) == #"sizes[0] ("s1") asks for 8192x8192 = 67108864 pixels per output image, over the budget MAX_OUTPUT_PIXELS=40000000"#)
            let threeLarge = (1...3).map { #"{"name":"s\#($0)","width":6000,"height":6000,"fit":"fill"}"# }.joined(separator: ",")
            let perRequest = try await stage.post("/process", body: Data(#"{"url":"\#(missing)","recipe":{"sizes":[\#(threeLarge)],"formats":["jpeg","webp"]}}"#.utf8), contentType: "application/json")
            #expect(perRequest.status == 422)
            #expect(Self.message(perRequest.json) == "the recipe asks for 216000000 output pixels per image (3 sizes x 2 formats), over the budget MAX_REQUEST_OUTPUT_PIXELS=100000000")

            let notFound = try await stage.post("/process", body: Data(#"{"url":"\#(missing)"}"#.utf8), contentType: "application/json")
            #expect(notFound.status == 422)
            #expect(Self.message(notFound.json).contains(missing))
            let blocked = try await stage.post("/process", body: Data(#"{"url":"http://169.254.169.254/"}"#.utf8), contentType: "application/json")
            #expect(blocked.status == 422)
            #expect(Self.message(blocked.json).contains("169.254.169.254"))
            let tooLarge = try await stage.post("/process", body: Data(count: ProcessBinary.maxImageBytes + 1), contentType: "image/jpeg")
            #expect(tooLarge.status == 422)
            #expect(Self.message(tooLarge.json).contains("limit"))
            let notImage = try await stage.post("/process", body: Data("just text".utf8), contentType: "text/plain")
            #expect(notImage.status == 422)
            #expect(Self.message(notImage.json).contains("not an image"))

            // Job status.
            let job = JobID("00112233aabbccdd")!
            try await stage.createJob(job, total: 4)
            #expect(try await stage.deliver(stage.task(job: job, row: 1, url: url)).status == 204)
            let status = try await stage.get("/jobs/\(job)")
            #expect(status.status == 200)
            #expect(status.json["job"] as? String == job.rawValue)
            #expect(status.json["status"] as? String == "running")
            #expect(status.json["total"] as? Int == 4)
            #expect(status.json["succeeded"] as? Int == 1)
            #expect(status.json["failed"] as? Int == 0)
            #expect(status.json["remaining"] as? Int == 3)
            #expect(status.json["progress"] as? Double == 0.25)
            #expect(status.json["createdAt"] is String)
            #expect(status.json["deadline"] is String)

            let absent = try await stage.get("/jobs/ffffffffffffffff")
            #expect(absent.status == 404)
            #expect(Self.message(absent.json).contains("ffffffffffffffff"))
            let invalid = try await stage.get("/jobs/NOT-A-JOB")
            #expect(invalid.status == 400)
            #expect(Self.message(invalid.json).contains("NOT-A-JOB"))
        }
    }

    /// `error.message` of an error answer.
    private static func message(_ json: [String: Any]) -> String {
        ((json["error"] as? [String: Any])?["message"] as? String) ?? ""
    }
}
