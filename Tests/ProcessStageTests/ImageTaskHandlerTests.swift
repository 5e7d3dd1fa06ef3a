import Foundation
import FunctionsFramework
import GoogleCloud
import PipelineModel
import StageTestSupport
import Testing
import TestSupport

@testable import ProcessStage

/// The image task handler constructed directly and called with typed tasks: images from a
/// loopback host, the item and counts in the in-process emulator.
@Suite("Process stage: image tasks (in process)")
struct ImageTaskHandlerTests {
    @Test("a task stores every output with its Content-Type and records the item with its analysis, counted once; a repeat does nothing; the last item enqueues teardown-JOB")
    func taskLifecycle() async throws {
        let jpeg = try await GeneratedImage.ramp(width: 160, height: 120, format: "jpg")
        let png = try await GeneratedImage.ramp(width: 90, height: 60, format: "png")
        let source = ImageSource(files: ["/photo.jpg": .init(contentType: "image/jpeg", body: jpeg), "/photo.png": .init(contentType: "image/png", body: png)])
        try await source.run { base in
            try await ProcessHarness.run { harness, handler in
                let job: JobID = "0123456789abcdef"
                try await harness.writeJob(harness.runningJob(job, total: 2, recipe: ProcessHarness.recipe))
                let first = ProcessHarness.task(job: job, row: 1, url: "\(base)/photo.jpg")
                try await ProcessHarness.deliver(first, to: handler, harness: harness)

                let item = try #require(try await harness.item(job, row: 1))
                #expect(item.status == .succeeded && item.error == nil && item.attempt == 1)
                #expect(item.analysis?.width == 160 && item.analysis?.height == 120 && item.analysis?.format.rawValue == "jpeg")
                #expect(Set(item.outputs.map { "\($0.size).\($0.format)" }) == ["small.jpeg", "small.webp", "tiny.jpeg", "tiny.webp"])
                for output in item.outputs {
                    let ext = output.format == "jpeg" ? "jpg" : output.format
                    #expect(output.object == "\(job)/blue-shoe/1-1-\(output.size).\(ext)")
                    #expect(output.contentType == "image/\(output.format)")
                    let stored = try await harness.clients.storage.metadata(bucket: harness.configuration.processedBucket, name: output.object)
                    #expect(stored.contentType == output.contentType)
                    #expect(stored.byteCount == Int64(output.bytes))
                    #expect(output.url == harness.configuration.links.url(bucket: harness.configuration.processedBucket, name: output.object))
                }
                let small = try #require(item.outputs.first { $0.size == "small" && $0.format == "jpeg" })
                #expect(small.width == 64 && small.height == 48)
                #expect(try await harness.counts(job) == JobCounts(succeeded: 1, failed: 0, remaining: 1))
                #expect(try await harness.teardownTask(job) == nil)

                // The same task again (its first answer was lost): no new count, no new work.
                try await ProcessHarness.deliver(first, to: handler, harness: harness, retryCount: 1)
                #expect(try await harness.counts(job) == JobCounts(succeeded: 1, failed: 0, remaining: 1))
                #expect(try await harness.item(job, row: 1) == item)

                // The last item completes the job and enqueues its teardown; repeating it changes nothing.
                let last = ProcessHarness.task(job: job, row: 2, url: "\(base)/photo.png", product: "Red Hat")
                try await ProcessHarness.deliver(last, to: handler, harness: harness)
                #expect(try await harness.counts(job) == JobCounts(succeeded: 2, failed: 0, remaining: 0))
                #expect(try await harness.item(job, row: 2)?.analysis?.format.rawValue == "png")
                #expect(try await harness.teardownTask(job) == TeardownTask(job: job, reason: .complete))
                try await ProcessHarness.deliver(last, to: handler, harness: harness, retryCount: 1)
                #expect(try await harness.counts(job) == JobCounts(succeeded: 2, failed: 0, remaining: 0))
                #expect(try await harness.taskNames(queue: harness.configuration.controlQueue) == [PipelineNames.teardownTask(job: job)])
            }
        }
    }

    @Test("a task whose item is recorded but whose job lacks its teardown (the first run crashed) enqueues teardown-JOB without counting or working again")
    func rerunEnsuresTeardown() async throws {
        try await ProcessHarness.run { harness, handler in
            let job: JobID = "aaaaaaaaaaaaaaaa"
            // As left by a run that committed the item and counters, then died before enqueuing teardown.
            try await harness.writeJob(harness.runningJob(job, total: 1, recipe: ProcessHarness.recipe), counts: JobCounts(succeeded: 1, failed: 0, remaining: 0))
            let url = "http://127.0.0.1:9/one.jpg"
            let item = ItemRecord(row: 1, index: 1, url: url, product: "Blue Shoe", status: .succeeded, attempt: 1, recordedAt: Timestamp.format(Date()))
            try await harness.writeItem(item, job: job)
            #expect(try await harness.teardownTask(job) == nil)

            try await ProcessHarness.deliver(ProcessHarness.task(job: job, row: 1, url: url), to: handler, harness: harness, retryCount: 1)
            #expect(try await harness.teardownTask(job) == TeardownTask(job: job, reason: .complete))
            #expect(try await harness.counts(job) == JobCounts(succeeded: 1, failed: 0, remaining: 0))
            #expect(try await harness.item(job, row: 1) == item)
            #expect(try await harness.clients.storage.listAll(bucket: harness.configuration.processedBucket).isEmpty)
        }
    }

    /// What makes an image fail for good, and what its item's error must say (`SOURCE` is the URL).
    static let permanentFailures: [(path: String, recipe: String, says: [String])] = [
        ("/missing.png", ProcessHarness.recipe, ["SOURCE", "404"]),
        ("/page.html", ProcessHarness.recipe, ["SOURCE", "not an image"]),
        ("/huge.jpg", ProcessHarness.recipe, ["SOURCE", "\(ProcessHarness.maxImageBytes)-byte limit"]),
        ("http://169.254.169.254/computeMetadata/v1/", ProcessHarness.recipe, ["SOURCE", "blocked"]),
        ("/missing.png", #"{"quality":0}"#, ["invalid recipe", "quality"]),
        // Over the output budget: refused before the download (the URL would 404).
        ("/missing.png", #"{"sizes":[{"name":"big","width":8000,"height":8000,"fit":"fill"}],"formats":["png"]}"#,
         [#"SOURCE: sizes[0] ("big") asks for 8000x8000 = 64000000 pixels per output image, over the budget MAX_OUTPUT_PIXELS=40000000"#]),
    ]

    @Test("permanent failures (4xx, not an image, too large, blocked address, invalid or over-budget recipe) are recorded as failed and acknowledged, counted once", arguments: permanentFailures.indices)
    func permanentFailure(_ number: Int) async throws {
        let failure = Self.permanentFailures[number]
        let source = ImageSource(files: [
            "/page.html": .init(contentType: "text/html", body: Data("<html><body>not an image</body></html>".utf8)),
            "/huge.jpg": .init(contentType: "image/jpeg", body: Data(count: ProcessHarness.maxImageBytes + 1)),
        ])
        try await source.run { base in
            try await ProcessHarness.run { harness, handler in
                let job: JobID = "fedcba9876543210"
                try await harness.writeJob(harness.runningJob(job, total: 2, recipe: ProcessHarness.recipe))
                let url = failure.path.hasPrefix("/") ? base + failure.path : failure.path
                let task = ProcessHarness.task(job: job, row: 1, url: url, recipe: failure.recipe)
                // Acknowledged: the handler returns normally.
                try await ProcessHarness.deliver(task, to: handler, harness: harness)
                let item = try #require(try await harness.item(job, row: 1))
                #expect(item.status == .failed)
                #expect(item.outputs.isEmpty)
                for fragment in failure.says.map({ $0.replacingOccurrences(of: "SOURCE", with: url) }) {
                    #expect(item.error?.contains(fragment) == true, "\(item.error ?? "no error") lacks \(fragment)")
                }
                #expect(try await harness.counts(job) == JobCounts(succeeded: 0, failed: 1, remaining: 1))
                try await ProcessHarness.deliver(task, to: handler, harness: harness, retryCount: 1)
                #expect(try await harness.counts(job) == JobCounts(succeeded: 0, failed: 1, remaining: 1))
            }
        }
    }

    @Test("a transient failure (the source answers 503) asks for a retry without recording anything, until the queue's final attempt records it failed and completes the job")
    func transientFailure() async throws {
        let source = ImageSource(files: ["/busy.png": .init(status: 503, contentType: "text/plain", body: Data("busy".utf8))])
        try await source.run { base in
            try await ProcessHarness.run { harness, handler in
                let job: JobID = "fedcba9876543210"
                try await harness.writeJob(harness.runningJob(job, total: 1, recipe: ProcessHarness.recipe))
                let busy = "\(base)/busy.png"
                let task = ProcessHarness.task(job: job, row: 1, url: busy)
                for retryCount in 0..<(ProcessHarness.maxAttempts - 1) {
                    let error = await #expect(throws: InvocationError.self) {
                        try await ProcessHarness.deliver(task, to: handler, harness: harness, retryCount: retryCount)
                    }
                    #expect(error?.disposition == .transient)
                    #expect(error?.reason.contains(busy) == true)
                }
                #expect(try await harness.item(job, row: 1) == nil)
                #expect(try await harness.counts(job) == JobCounts(succeeded: 0, failed: 0, remaining: 1))

                try await ProcessHarness.deliver(task, to: handler, harness: harness, retryCount: ProcessHarness.maxAttempts - 1)
                let gaveUp = try #require(try await harness.item(job, row: 1))
                #expect(gaveUp.status == .failed)
                #expect(gaveUp.attempt == ProcessHarness.maxAttempts)
                #expect(gaveUp.error?.contains(busy) == true)
                #expect(gaveUp.error?.contains("after \(ProcessHarness.maxAttempts) attempts") == true)
                #expect(try await harness.counts(job) == JobCounts(succeeded: 0, failed: 1, remaining: 0))
                #expect(try await harness.teardownTask(job) == TeardownTask(job: job, reason: .complete))
            }
        }
    }

    @Test("after a cancel no image starts: the task is acknowledged without downloading or recording, and the job's queue is paused")
    func cancelledJobStartsNothing() async throws {
        try await ProcessHarness.run { harness, handler in
            let job: JobID = "0123456789abcdef"
            try await harness.writeJob(harness.runningJob(job, total: 2, recipe: ProcessHarness.recipe))
            // Before the cancel, an unreachable source is a transient failure: the handler tried it.
            let task = ProcessHarness.task(job: job, row: 1, url: "http://127.0.0.1:9/never.jpg")
            let error = await #expect(throws: InvocationError.self) { try await ProcessHarness.deliver(task, to: handler, harness: harness) }
            #expect(error?.disposition == .transient)

            let marked = try await JobControl(clients: harness.clients, configuration: harness.configuration).cancel(job)
            #expect(marked.cancelRequestedAt != nil)
            try await ProcessHarness.deliver(task, to: handler, harness: harness, retryCount: 1)
            try await ProcessHarness.deliver(ProcessHarness.task(job: job, row: 2, url: "http://127.0.0.1:9/other.jpg"), to: handler, harness: harness)
            #expect(try await harness.items(job).isEmpty)
            #expect(try await harness.counts(job) == JobCounts(succeeded: 0, failed: 0, remaining: 2))
            #expect(try await harness.clients.tasks.queue(PipelineNames.imageQueue(job: job)).state == "PAUSED")
            #expect(try await harness.clients.storage.listAll(bucket: harness.configuration.processedBucket).isEmpty)
        }
    }

    @Test("in a retried job's run 1 the item that completes the job enqueues teardown-JOB-r1 (teardown-JOB is remembered from the first run)")
    func retriedRunTeardown() async throws {
        let jpeg = try await GeneratedImage.ramp(width: 40, height: 30, format: "jpg")
        try await ImageSource(files: ["/again.jpg": .init(contentType: "image/jpeg", body: jpeg)]).run { base in
            try await ProcessHarness.run { harness, handler in
                let job: JobID = "0123456789abcdef"
                var record = harness.runningJob(job, total: 1, recipe: ProcessHarness.recipe)
                record.run = 1
                try await harness.writeJob(record)
                try await ProcessHarness.deliver(ProcessHarness.task(job: job, row: 1, url: "\(base)/again.jpg"), to: handler, harness: harness)
                #expect(try await harness.item(job, row: 1)?.counter == 0)
                #expect(try await harness.teardownTask(job) == nil)
                let body: TeardownTask? = try await harness.taskBody(PipelineNames.teardownTask(job: job, run: 1), queue: harness.configuration.controlQueue)
                #expect(body == TeardownTask(job: job, reason: .complete, run: 1))
            }
        }
    }

    @Test("a task body naming a malformed job id does not decode, naming the field (the server answers 400)")
    func malformedJobID() {
        let body = #"{"job":"NOT-A-JOB","row":1,"index":1,"url":"http://127.0.0.1:9/a.jpg","product":"P","recipe":""}"#
        let error = #expect(throws: DecodingError.self) { try JSONDecoder().decode(ImageTask.self, from: Data(body.utf8)) }
        #expect(String(describing: error).contains("NOT-A-JOB"))
    }

    @Test("a task naming no valid item, or a job that does not exist, is acknowledged as permanent", arguments: [
        ImageTask(job: "0123456789abcdef", row: 0, index: 1, url: "http://127.0.0.1:9/a.jpg", product: "P", recipe: ""),
        ImageTask(job: "0123456789abcdef", row: 1, index: 1, url: "http://127.0.0.1:9/a.jpg", product: "P", recipe: #"{"quality":0}"#),
    ])
    func invalidTask(_ task: ImageTask) async throws {
        try await ProcessHarness.run { harness, handler in
            let error = await #expect(throws: InvocationError.self) { try await ProcessHarness.deliver(task, to: handler, harness: harness) }
            #expect(error?.disposition == .permanent)
        }
    }
}
