import Foundation
import GoogleCloud
import PipelineModel
import StageTestSupport
import Testing

@testable import ProcessStage

/// Images the jobs API stored in the uploads bucket reach process as `gs://` sources: read
/// through the Storage client, from the uploads bucket only.
@Suite("Uploaded images read from the uploads bucket")
struct UploadedImageReaderTests {
    @Test("an object of the uploads bucket is read; another bucket, a missing object and one over the limit fail permanently")
    func reads() async throws {
        try await StageHarness.run { harness in
            let uploads = harness.configuration.uploadsBucket
            let storage = harness.clients.storage
            let bytes = Data((0..<2048).map { UInt8(truncatingIfNeeded: $0) })
            _ = try await storage.upload(bytes, bucket: uploads, name: "api-images/abc/image", options: .init(contentType: "image/jpeg"))
            _ = try await storage.upload(bytes, bucket: harness.configuration.processedBucket, name: "secret/image", options: .init(contentType: "image/jpeg"))
            let reader = UploadedImageReader(storage: storage, bucket: uploads, maxBytes: 4096)

            #expect(UploadedImageReader.handles("gs://\(uploads)/api-images/abc/image"))
            #expect(!UploadedImageReader.handles("https://example.com/a.jpg"))
            #expect(try await reader.read("gs://\(uploads)/api-images/abc/image") == bytes)

            for (url, words) in [
                ("gs://\(harness.configuration.processedBucket)/secret/image", "only objects of the uploads bucket"),
                ("gs://\(uploads)/api-images/missing/image", "no such object"),
                ("gs://\(uploads)/", "only objects of the uploads bucket"),
            ] {
                do {
                    _ = try await reader.read(url)
                    Issue.record("\(url) was read")
                } catch let error as ImageFailure {
                    #expect(!error.isTransient, "\(url)")
                    #expect(error.reason.contains(words), "\(url): \(error.reason)")
                    #expect(error.source == url)
                } catch {
                    Issue.record("\(url): \(error)")
                }
            }
            let small = UploadedImageReader(storage: storage, bucket: uploads, maxBytes: 1000)
            await #expect(throws: ImageFailure.self) { try await small.read("gs://\(uploads)/api-images/abc/image") }
        }
    }
}
