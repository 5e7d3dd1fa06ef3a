import Foundation
import GoogleCloud
import PipelineModel
import Testing

@testable import Emulator

/// `StorageUploadStream`, the resumable upload teardown streams output CSVs through, against the
/// emulator's Storage API: the object is written piece by piece, its total unknown until the end.
@Suite("Storage upload streams")
struct StorageUploadStreamTests {
    @Test("bytes written in small pieces arrive whole, in chunks of the session's size, with the total sent last", arguments: [1, 256 << 10, 700_001])
    func streamed(size: Int) async throws {
        try await TestEmulator.run { emulator in
            let storage = StorageClient(api: GoogleAPIClient(endpoints: .emulator(emulator.baseURL)))
            try await storage.createBucket("out", project: "demo")
            var options = StorageClient.UploadOptions(contentType: "text/csv")
            options.chunkSize = 256 << 10
            var upload = try await storage.uploadStream(bucket: "out", name: "job/output.csv", options: options)
            var expected = Data()
            var piece = 0
            while expected.count < size {
                let line = Data("row \(piece),\(String(repeating: "x", count: piece % 97))\r\n".utf8).prefix(size - expected.count)
                expected.append(line)
                try await upload.write(line)
                piece += 1
            }
            #expect(upload.count == size)
            let object = try await upload.finish()
            #expect(object.byteCount == Int64(size))
            #expect(object.contentType == "text/csv")
            #expect(try await storage.download(bucket: "out", name: "job/output.csv") == expected)
        }
    }
}
