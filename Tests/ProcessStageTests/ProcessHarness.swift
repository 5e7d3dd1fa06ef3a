import Foundation
import FunctionsFramework
import GoogleCloud
import HTTPTypes
import Hummingbird
import Imaging
import NIOCore
import PipelineModel
import StageTestSupport
import Testing
import TestSupport

@testable import ProcessStage

/// The process stage's task handler built as `ProcessFunction` builds it, over the in-process
/// emulator, downloading from loopback sources only.
enum ProcessHarness {
    static let maxAttempts = 3
    /// `MAX_IMAGE_BYTES`, small so that "too large" is quick to show.
    static let maxImageBytes = 100_000
    /// Two sizes × two formats: enough to show every output, small enough to be quick.
    static let recipe = #"{"sizes":[{"name":"small","width":64,"height":64,"fit":"inside"},{"name":"tiny","width":16,"height":16,"fit":"cover"}],"formats":["jpeg","webp"]}"#

    /// Runs `body` with the emulator in process and the image queue retrying `maxAttempts` times.
    static func run<T: Sendable>(_ body: @Sendable (StageHarness, ImageTaskHandler) async throws -> T) async throws -> T {
        try await StageHarness.run(configure: { $0.imageQueue.maxAttempts = maxAttempts }) { harness in
            try await body(harness, try handler(harness))
        }
    }

    static func handler(_ harness: StageHarness) throws -> ImageTaskHandler {
        var download = DownloadPolicy()
        download.addresses = try AddressPolicy(allowList: "127.0.0.0/8")
        download.maxBytes = maxImageBytes
        var imaging = ImagingConfiguration()
        imaging.workerThreads = 1
        let pipeline = harness.configuration
        let processor = ImageProcessor(
            downloader: SafeDownloader(policy: download),
            engine: try ImagingEngine(configuration: imaging),
            store: OutputStore(storage: harness.clients.storage, bucket: pipeline.processedBucket, links: pipeline.links, concurrency: 4)
        )
        return ImageTaskHandler(processor: processor, clients: harness.clients, configuration: pipeline)
    }

    /// The image task of `row` (image 1) of `job`.
    static func task(job: JobID, row: Int, url: String, product: String = "Blue Shoe", recipe: String = recipe) -> ImageTask {
        ImageTask(job: job, row: row, index: 1, url: url, product: product, recipe: recipe)
    }

    /// Runs the handler on `task` as Cloud Tasks would deliver it on attempt `retryCount + 1`.
    static func deliver(_ task: ImageTask, to handler: ImageTaskHandler, harness: StageHarness, retryCount: Int = 0) async throws {
        let headers = CloudTaskHeaders(
            queueName: PipelineNames.imageQueue(job: task.job), taskName: PipelineNames.imageTask(job: task.job, row: task.row, index: task.index),
            retryCount: retryCount, executionCount: retryCount
        )
        try await handler.handle(CloudTaskRequest(task: headers, payload: task), context: harness.context(.cloudTask, id: headers.taskName, cloudTask: headers))
    }
}

/// A loopback image host: each path answers its status, content type and bytes; others 404.
struct ImageSource: Sendable {
    struct File: Sendable {
        var status: Int = 200
        var contentType: String
        var body: Data
    }

    let files: [String: File]

    /// Serves the files on 127.0.0.1:0 for the duration of `body`, which gets the base URL.
    func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router(context: PeerContext.self)
        router.get("**") { [files] request, _ -> Response in
            guard let file = files[request.uri.path] else { return Response(status: .notFound) }
            var headers = HTTPFields()
            headers[.contentType] = file.contentType
            return Response(status: .init(code: file.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.body)))
        }
        return try await withTestServer(router) { port in try await body("http://127.0.0.1:\(port)") }
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
