import Foundation
import PipelineModel
import Testing

/// Malformed requests get clear 4xx answers; nothing lands outside the data directory and the
/// emulator keeps serving.
@Suite("Bad input")
struct BadInputTests {
    @Test("malformed JSON and wrong types are 400 INVALID_ARGUMENT naming the key", arguments: [
        ("PUT", "/v1/projects/demo/topics/topic-1", "{", "not well-formed"),
        ("POST", "/v1/projects/demo/topics/topic-1:publish", #"{"messages":"x"}"#, "messages"),
        ("POST", "/v1/projects/demo/topics/topic-1:publish", #"{"messages":[{"data":"***"}]}"#, "messages[0].data"),
        ("PUT", "/v1/projects/demo/subscriptions/sub-1", #"{"topic":"projects/demo/topics/topic-1","ackDeadlineSeconds":"soon"}"#, "ackDeadlineSeconds"),
        ("POST", "/v2/projects/demo/locations/l/queues", #"{"name":"projects/demo/locations/l/queues/q2","retryConfig":{"minBackoff":5}}"#, "retryConfig.minBackoff"),
        ("POST", "/v2/projects/demo/locations/l/queues/q/tasks", #"{"task":{"httpRequest":{"url":5}}}"#, "task.httpRequest.url"),
        ("POST", "/v2/projects/demo/locations/l/queues/q/tasks", #"{"task":{"httpRequest":{"url":"http://x/","httpMethod":"FETCH"}}}"#, "task.httpRequest.httpMethod"),
        ("POST", "/v2/projects/demo/locations/l/queues/q/tasks", #"{"task":{"httpRequest":{"url":"file:///etc/passwd"}}}"#, "task.httpRequest.url"),
        ("POST", "/v1/projects/demo/databases/(default)/documents:commit", #"{"writes":[{"update":{"name":"x","fields":{}}}]}"#, "writes[0].update.name"),
        ("POST", "/v1/projects/demo/databases/(default)/documents:commit", #"{"writes":[{"update":{"name":"projects/demo/databases/(default)/documents/a/b","fields":{"n":{"integerValue":"x"}}}}]}"#, "integerValue"),
        ("POST", "/storage/v1/b?project=demo", #"{"name":"../up"}"#, "bucket name"),
    ])
    func invalidBodies(method: String, path: String, body: String, mentions: String) async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("PUT", "/v1/projects/demo/topics/topic-1", json: "{}")
            try await emulator.send("POST", "/v2/projects/demo/locations/l/queues", json: #"{"name":"projects/demo/locations/l/queues/q"}"#)
            let response = try await emulator.send(method, path, json: body)
            #expect(response.status == 400)
            #expect(response.errorStatus == "INVALID_ARGUMENT")
            #expect(response.errorMessage.contains(mentions), "\(response.errorMessage)")
            #expect(try await emulator.send("GET", "/healthz").status == 200)
        }
    }

    @Test("object names that cannot be files are stored apart and served; nothing escapes the data directory", arguments: [
        "../../etc/passwd", "/etc/passwd", "a/../b", "dir/", "nul\u{0}byte", "a//b", String(repeating: "x", count: 300), "./x",
    ])
    func hostileObjectNames(name: String) async throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-names-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: parent) }
        let data = parent.appendingPathComponent("data")
        try await TestEmulator.run(dataDirectory: data) { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"uploads"}"#)
            let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let upload = try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=media&name=\(encoded)", body: Data("secret".utf8))
            #expect(upload.status == 200)
            #expect(upload.json["name"] as? String == name)
            let media = try await emulator.send("GET", "/storage/v1/b/uploads/o/\(encoded)?alt=media")
            #expect(media.text == "secret")
            let listed = try await emulator.send("GET", "/storage/v1/b/uploads/o")
            #expect((listed.json["items"] as? [[String: Any]])?.first?["name"] as? String == name)
            #expect(try await emulator.send("DELETE", "/storage/v1/b/uploads/o/\(encoded)").status == 204)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["data"])
        let bucketFiles = FileManager.default.enumerator(atPath: data.appendingPathComponent("buckets").path)?.allObjects as? [String] ?? []
        #expect(bucketFiles.allSatisfy { !$0.contains("..") })
    }

    @Test("a name whose folder is already an object is kept apart and both are served")
    func fileAndFolderClash() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"uploads"}"#)
            try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=media&name=a", body: Data("file".utf8))
            #expect(try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=media&name=a%2Fb", body: Data("nested".utf8)).status == 200)
            #expect(try await emulator.send("GET", "/storage/v1/b/uploads/o/a?alt=media").text == "file")
            #expect(try await emulator.send("GET", "/storage/v1/b/uploads/o/a%2Fb?alt=media").text == "nested")
        }
    }

    @Test("object names that Cloud Storage refuses are 400", arguments: [".", "..", "line\nbreak"])
    func refusedObjectNames(name: String) async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"uploads"}"#)
            let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let upload = try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=media&name=\(encoded)", body: Data("x".utf8))
            #expect(upload.status == 400)
            #expect(upload.errorStatus == "INVALID_ARGUMENT")
        }
    }

    @Test("bodies over the configured limit are 413 in Google's shape and the emulator keeps serving")
    func oversizedBodies() async throws {
        try await TestEmulator.run(maxRequestBytes: 1024) { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"uploads"}"#)
            try await emulator.send("PUT", "/v1/projects/demo/topics/topic-1", json: "{}")
            let big = Data(repeating: 65, count: 4096)
            let upload = try await emulator.send("POST", "/upload/storage/v1/b/uploads/o?uploadType=media&name=big", body: big)
            #expect(upload.status == 413)
            #expect(upload.json["error"] != nil)
            let publish = try await emulator.send("POST", "/v1/projects/demo/topics/topic-1:publish",
                                                  json: #"{"messages":[{"data":"\#(big.base64EncodedString())"}]}"#)
            #expect(publish.status == 413)
            #expect(try await emulator.send("GET", "/storage/v1/b/uploads/o/big").status == 404)
            #expect(try await emulator.send("GET", "/healthz").status == 200)
        }
    }

    @Test("unknown paths and bad percent-encoding get Google-style errors")
    func unknownPaths() async throws {
        try await TestEmulator.run { emulator in
            let unknown = try await emulator.send("GET", "/v9/whatever")
            #expect(unknown.status == 404)
            #expect(unknown.errorStatus == "NOT_FOUND")
            let badEncoding = try await emulator.send("GET", "/storage/v1/b/uploads/o/%ZZ")
            #expect(badEncoding.status == 400)
        }
    }

    @Test("an upload_id that was not issued is 404 and touches no file", arguments: ["..%2F..%2Fetc%2Fpasswd", "nope", "%2Fetc%2Fpasswd"])
    func foreignUploadID(id: String) async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"uploads"}"#)
            let response = try await emulator.send("PUT", "/upload/storage/v1/b/uploads/o?uploadType=resumable&upload_id=\(id)",
                                                   body: Data("x".utf8), headers: [("Content-Range", "bytes 0-0/1")])
            #expect(response.status == 404)
            #expect(try await emulator.send("DELETE", "/upload/storage/v1/b/uploads/o?uploadType=resumable&upload_id=\(id)").status == 404)
        }
    }
}
