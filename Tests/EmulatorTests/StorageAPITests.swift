import Foundation
import PipelineModel
import Testing

@testable import Emulator

/// The Storage JSON API as the client libraries call it.
@Suite("Storage JSON API")
struct StorageAPITests {
    @Test("bucket create, get, list and delete answer as storage#bucket")
    func buckets() async throws {
        try await TestEmulator.run { emulator in
            let created = try await emulator.send("POST", "/storage/v1/b?project=demo&prettyPrint=false", json: #"{"name":"uploads"}"#)
            #expect(created.status == 200)
            #expect(created.json["kind"] as? String == "storage#bucket")
            #expect(created.json["name"] as? String == "uploads")
            let again = try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"uploads"}"#)
            #expect(again.status == 409)
            #expect(again.errorStatus == "ALREADY_EXISTS")
            #expect(try await emulator.send("GET", "/storage/v1/b/uploads").json["id"] as? String == "uploads")
            let list = try await emulator.send("GET", "/storage/v1/b?project=demo")
            #expect((list.json["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["uploads"])
            #expect(try await emulator.send("DELETE", "/storage/v1/b/uploads").status == 204)
            #expect(try await emulator.send("GET", "/storage/v1/b/uploads").status == 404)
            #expect(!FileManager.default.fileExists(atPath: emulator.dataDirectory.appendingPathComponent("buckets/uploads").path))
        }
    }

    @Test("a media upload is stored as a file and described with string int64s and base64 checksums")
    func mediaUpload() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"uploads"}"#)
            let upload = try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=media&name=in%2F123456789.txt",
                                                 body: Data("123456789".utf8), headers: [("Content-Type", "text/plain")])
            #expect(upload.status == 200)
            let json = upload.json
            #expect(json["name"] as? String == "in/123456789.txt")
            #expect(json["bucket"] as? String == "uploads")
            #expect(json["size"] as? String == "9")
            #expect(json["contentType"] as? String == "text/plain")
            #expect(json["crc32c"] as? String == "4waSgw==")  // CRC-32C of "123456789" is 0xE3069283
            #expect(json["md5Hash"] as? String == "JfnnlDI7RTiF9RgfG2JNCw==")
            #expect(json["metageneration"] as? String == "1")
            #expect(Int64(json["generation"] as? String ?? "") ?? 0 > 0)
            let file = emulator.dataDirectory.appendingPathComponent("buckets/uploads/in/123456789.txt")
            #expect(try Data(contentsOf: file) == Data("123456789".utf8))

            let metadata = try await emulator.send("GET", "/storage/v1/b/uploads/o/in%2F123456789.txt?alt=json&prettyPrint=false&projection=full")
            #expect(metadata.json["generation"] as? String == json["generation"] as? String)
            for path in ["/storage/v1/b/uploads/o/in%2F123456789.txt?alt=media", "/download/storage/v1/b/uploads/o/in%2F123456789.txt?alt=media"] {
                let media = try await emulator.send("GET", path)
                #expect(media.status == 200)
                #expect(media.text == "123456789")
                #expect(media.header("x-goog-generation") == json["generation"] as? String)
                #expect(media.header("x-goog-hash")?.contains("md5=JfnnlDI7RTiF9RgfG2JNCw==") == true)
            }
        }
    }

    @Test("Range reads answer 206 with Content-Range", arguments: [
        ("bytes=0-3", "0123", "bytes 0-3/10"),
        ("bytes=6-", "6789", "bytes 6-9/10"),
        ("bytes=-2", "89", "bytes 8-9/10"),
        ("bytes=8-100", "89", "bytes 8-9/10"),
    ])
    func rangeReads(range: String, expected: String, contentRange: String) async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"uploads"}"#)
            try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=media&name=digits", body: Data("0123456789".utf8))
            let response = try await emulator.send("GET", "/download/storage/v1/b/uploads/o/digits?alt=media", headers: [("Range", range)])
            #expect(response.status == 206)
            #expect(response.text == expected)
            #expect(response.header("Content-Range") == contentRange)
            let beyond = try await emulator.send("GET", "/download/storage/v1/b/uploads/o/digits?alt=media", headers: [("Range", "bytes=10-")])
            #expect(beyond.status == 416)
        }
    }

    @Test("a multipart upload as google-cloud-storage sends it keeps metadata and content type")
    func multipartUpload() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"uploads"}"#)
            let boundary = "===============7330845974216740156=="
            let body = "--\(boundary)\r\ncontent-type: application/json; charset=UTF-8\r\n\r\n"
                + #"{"name": "csv/products.csv", "metadata": {"job": "j-1"}}"#
                + "\r\n--\(boundary)\r\ncontent-type: text/csv\r\n\r\nsku,url\n1,http://x/a.png\n\r\n--\(boundary)--"
            let upload = try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=multipart&ifGenerationMatch=0",
                                                 body: Data(body.utf8), headers: [("Content-Type", "multipart/related; boundary=\"\(boundary)\"")])
            #expect(upload.status == 200)
            #expect(upload.json["name"] as? String == "csv/products.csv")
            #expect(upload.json["contentType"] as? String == "text/csv")
            #expect(upload.json.value(at: "metadata.job") as? String == "j-1")
            #expect(upload.json["size"] as? String == "25")
            let again = try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=multipart&ifGenerationMatch=0",
                                                body: Data(body.utf8), headers: [("Content-Type", "multipart/related; boundary=\"\(boundary)\"")])
            #expect(again.status == 412)
            #expect(again.errorStatus == "FAILED_PRECONDITION")
        }
    }

    @Test("a resumable upload answers 308 with Range until the last chunk")
    func resumableUpload() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"uploads"}"#)
            let start = try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=resumable&name=big.bin",
                                                json: #"{"contentType":"application/octet-stream","metadata":{"k":"v"}}"#,
                                                headers: [("X-Upload-Content-Type", "application/octet-stream")])
            #expect(start.status == 200)
            let location = try #require(start.header("Location"))
            let bytes = Data((0..<300).map { UInt8($0 % 251) })
            let first = try await TestResponse.send(client: emulator.client, method: "PUT", url: location, body: bytes[0..<128],
                                                    headers: [("Content-Range", "bytes 0-127/*")])
            #expect(first.status == 308)
            #expect(first.header("Range") == "bytes=0-127")
            let status = try await TestResponse.send(client: emulator.client, method: "PUT", url: location, headers: [("Content-Range", "bytes */*")])
            #expect(status.status == 308)
            #expect(status.header("Range") == "bytes=0-127")
            let last = try await TestResponse.send(client: emulator.client, method: "PUT", url: location, body: bytes[128...],
                                                   headers: [("Content-Range", "bytes 128-299/300")])
            #expect(last.status == 200)
            #expect(last.json["size"] as? String == "300")
            #expect(last.json.value(at: "metadata.k") as? String == "v")
            let media = try await emulator.send("GET", "/storage/v1/b/uploads/o/big.bin?alt=media")
            #expect(media.body == bytes)
        }
    }

    @Test("listing with prefix, delimiter and pages rolls folders into prefixes")
    func listing() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"uploads"}"#)
            for name in ["a/1", "a/2", "a/sub/3", "b", "c/4"] {
                try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=media&name=\(name.percentEncodedPathSegment())", body: Data(name.utf8))
            }
            let top = try await emulator.send("GET", "/storage/v1/b/uploads/o?delimiter=%2F")
            #expect(top.json["prefixes"] as? [String] == ["a/", "c/"])
            #expect((top.json["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["b"])
            let inA = try await emulator.send("GET", "/storage/v1/b/uploads/o?prefix=a%2F&delimiter=%2F")
            #expect((inA.json["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["a/1", "a/2"])
            #expect(inA.json["prefixes"] as? [String] == ["a/sub/"])
            var names: [String] = []
            var token: String?
            repeat {
                let page = try await emulator.send("GET", "/storage/v1/b/uploads/o?maxResults=2" + (token.map { "&pageToken=\($0)" } ?? ""))
                names += (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                token = page.json["nextPageToken"] as? String
            } while token != nil
            #expect(names == ["a/1", "a/2", "a/sub/3", "b", "c/4"])
        }
    }

    @Test("generation preconditions: ifGenerationMatch, ifGenerationNotMatch and delete")
    func preconditions() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"uploads"}"#)
            let first = try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=media&name=x&ifGenerationMatch=0", body: Data("1".utf8))
            let generation = try #require(first.json["generation"] as? String)
            #expect(try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=media&name=x&ifGenerationMatch=0", body: Data("2".utf8)).status == 412)
            #expect(try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=media&name=x&ifGenerationMatch=1", body: Data("2".utf8)).status == 412)
            let second = try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=media&name=x&ifGenerationMatch=\(generation)", body: Data("2".utf8))
            #expect(second.status == 200)
            #expect(Int64(second.json["generation"] as? String ?? "")! > Int64(generation)!)
            #expect(try await emulator.send("GET", "/storage/v1/b/uploads/o/x?ifGenerationNotMatch=\(second.json["generation"] as! String)").status == 412)
            #expect(try await emulator.send("DELETE", "/storage/v1/b/uploads/o/x?ifGenerationMatch=\(generation)").status == 412)
            #expect(try await emulator.send("DELETE", "/storage/v1/b/uploads/o/x").status == 204)
            #expect(try await emulator.send("GET", "/storage/v1/b/uploads/o/x").errorStatus == "NOT_FOUND")
            #expect(!FileManager.default.fileExists(atPath: emulator.dataDirectory.appendingPathComponent("buckets/uploads/x").path))
        }
    }

    @Test("PATCH changes metadata and bumps metageneration")
    func patchMetadata() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"uploads"}"#)
            try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=media&name=x", body: Data("1".utf8))
            let patched = try await emulator.send("PATCH", "/storage/v1/b/uploads/o/x", json: #"{"contentType":"image/png","metadata":{"a":"1"}}"#)
            #expect(patched.json["metageneration"] as? String == "2")
            #expect(patched.json["contentType"] as? String == "image/png")
            #expect(patched.json.value(at: "metadata.a") as? String == "1")
        }
    }

    @Test("a resumable chunk with an absurd Content-Range is 400, not a crash", arguments: [
        "bytes 0-9223372036854775807/*", "bytes 5-1/10", "bytes x-y/*", "items 0-1/2",
    ])
    func absurdContentRange(header: String) async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"uploads"}"#)
            let start = try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=resumable&name=x", json: "{}")
            let location = try #require(start.header("Location"))
            let chunk = try await TestResponse.send(client: emulator.client, method: "PUT", url: location, body: Data("ab".utf8),
                                                    headers: [("Content-Range", header)])
            #expect(chunk.status == 400)
            #expect(try await emulator.send("GET", "/healthz").status == 200)
        }
    }
}
