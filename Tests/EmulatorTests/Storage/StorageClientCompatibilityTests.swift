import Foundation
import Testing

@testable import Emulator

/// The requests gcloud, gsutil and the client libraries send that the plain JSON API tests do
/// not: quoted boundaries, the `/resumable/upload` path, `storageLayout`, bucket updates,
/// `objects.update`, the batch endpoint, and fast UNIMPLEMENTED answers.
@Suite("Storage client compatibility")
struct StorageClientCompatibilityTests {
    @Test("multipart boundaries are read bare, in double quotes and in gcloud's single quotes", arguments: ["plain", "\"double\"", "'single'"])
    func boundaryQuoting(_ quoted: String) throws {
        let boundary = quoted.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        #expect(MultipartRelated.boundary(in: "multipart/related; boundary=\(quoted)") == boundary)
        let body = "--\(boundary)\r\ncontent-type: application/json\r\n\r\n{\"name\":\"a\"}\r\n--\(boundary)\r\ncontent-type: text/plain\r\n\r\nhello\r\n--\(boundary)--"
        let parts = try MultipartRelated(contentType: "multipart/related; boundary=\(quoted)", body: Data(body.utf8))
        #expect(String(decoding: parts.media, as: UTF8.self) == "hello")
        #expect(parts.mediaContentType == "text/plain")
    }

    @Test("gcloud's multipart upload (single-quoted ===…== boundary) creates the object")
    func gcloudMultipart() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"work"}"#)
            let boundary = "===============1234567890123456789=="
            let body = "--\(boundary)\r\ncontent-type: application/json\r\nMIME-Version: 1.0\r\n\r\n{\"name\": \"a.txt\", \"bucket\": \"work\"}\r\n"
                + "--\(boundary)\r\ncontent-type: text/plain\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: binary\r\n\r\nhello\r\n--\(boundary)--"
            let response = try await emulator.send("POST", "/upload/storage/v1/b/work/o?uploadType=multipart&alt=json", body: Data(body.utf8),
                                                   headers: [("Content-Type", "multipart/related; boundary='\(boundary)'")])
            #expect(response.status == 200, "\(response.text)")
            #expect(try await emulator.send("GET", "/storage/v1/b/work/o/a.txt?alt=media").text == "hello")
        }
    }

    @Test("a resumable upload started at /resumable/upload/storage/v1 finishes like one under /upload")
    func resumablePath() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"work"}"#)
            let start = try await emulator.send("POST", "/resumable/upload/storage/v1/b/work/o?uploadType=resumable&alt=json",
                                                json: #"{"name":"r.bin"}"#, headers: [("X-Upload-Content-Type", "application/x-test")])
            #expect(start.status == 200, "\(start.text)")
            let location = try #require(start.header("Location"))
            let finish = try await TestResponse.send(client: emulator.client, method: "PUT", url: location, body: Data("xyz".utf8),
                                                     headers: [("Content-Range", "bytes 0-2/3")])
            #expect(finish.status == 200, "\(finish.text)")
            #expect(finish.json["contentType"] as? String == "application/x-test")
            #expect(try await emulator.send("GET", "/storage/v1/b/work/o/r.bin?alt=media").text == "xyz")
        }
    }

    @Test("storageLayout reports a flat namespace and managedFolders lists none; an unknown bucket is 404")
    func storageLayout() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"work"}"#)
            let layout = try await emulator.send("GET", "/storage/v1/b/work/storageLayout?prefix=x")
            #expect(layout.status == 200)
            #expect(layout.json["kind"] as? String == "storage#storageLayout")
            #expect(layout.json["bucket"] as? String == "work")
            #expect(layout.json.value(at: "hierarchicalNamespace.enabled") as? Bool == false)
            #expect(try await emulator.send("GET", "/storage/v1/b/nope/storageLayout").status == 404)
            let folders = try await emulator.send("GET", "/storage/v1/b/work/managedFolders?prefix=x")
            #expect(folders.status == 200)
            #expect(folders.json["kind"] as? String == "storage#managedFolders")
            #expect(folders.json["items"] == nil)
        }
    }

    @Test("bucket PATCH merges labels (null removes one), stores versioning and lifecycle; PUT replaces them")
    func bucketUpdate() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"work","labels":{"team":"a","old":"x"}}"#)
            let patched = try await emulator.send("PATCH", "/storage/v1/b/work?ifMetagenerationMatch=1", json: """
                {"labels":{"env":"dev","old":null},"versioning":{"enabled":true},"lifecycle":{"rule":[{"action":{"type":"Delete"},"condition":{"age":30}}]}}
                """)
            #expect(patched.status == 200, "\(patched.text)")
            #expect(patched.json["labels"] as? [String: String] == ["team": "a", "env": "dev"])
            #expect(patched.json.value(at: "versioning.enabled") as? Bool == true)
            #expect(patched.json.value(at: "lifecycle.rule[0].condition.age") as? Int == 30)
            #expect(patched.json["metageneration"] as? String == "2")
            let shown = try await emulator.send("GET", "/storage/v1/b/work")
            #expect(shown.json["labels"] as? [String: String] == ["team": "a", "env": "dev"])
            #expect(shown.json.value(at: "versioning.enabled") as? Bool == true)
            #expect(try await emulator.send("PATCH", "/storage/v1/b/work?ifMetagenerationMatch=1", json: "{}").status == 412)
            let replaced = try await emulator.send("PUT", "/storage/v1/b/work", json: #"{"labels":{"only":"one"}}"#)
            #expect(replaced.json["labels"] as? [String: String] == ["only": "one"])
            #expect(replaced.json["versioning"] == nil)
            #expect(replaced.json["lifecycle"] == nil)
        }
    }

    @Test("object PUT replaces the metadata that PATCH merges into")
    func objectUpdateReplaces() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"work"}"#)
            try await emulator.send("POST", "/upload/storage/v1/b/work/o?uploadType=media&name=a.txt", body: Data("x".utf8), headers: [("Content-Type", "text/plain")])
            let patched = try await emulator.send("PATCH", "/storage/v1/b/work/o/a.txt", json: #"{"metadata":{"a":"1","b":"2"},"cacheControl":"no-cache"}"#)
            #expect(patched.json["metadata"] as? [String: String] == ["a": "1", "b": "2"])
            let merged = try await emulator.send("PATCH", "/storage/v1/b/work/o/a.txt", json: #"{"metadata":{"c":"3"}}"#)
            #expect(merged.json["metadata"] as? [String: String] == ["a": "1", "b": "2", "c": "3"])
            let replaced = try await emulator.send("PUT", "/storage/v1/b/work/o/a.txt", json: #"{"contentType":"text/plain","metadata":{"c":"3"}}"#)
            #expect(replaced.status == 200)
            #expect(replaced.json["metadata"] as? [String: String] == ["c": "3"])
            #expect(replaced.json["cacheControl"] == nil)
            #expect(replaced.json["contentType"] as? String == "text/plain")
            #expect(replaced.json["metageneration"] as? String == "4")
        }
    }

    @Test("the batch endpoint runs each embedded call and answers each part under its Content-ID")
    func batch() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"work"}"#)
            for name in ["a", "b"] {
                try await emulator.send("POST", "/upload/storage/v1/b/work/o?uploadType=media&name=\(name)", body: Data(name.utf8))
            }
            let boundary = "===============9876=="
            func part(_ id: Int, _ requestLine: String, body: String? = nil) -> String {
                var text = "--\(boundary)\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <abc+\(id)>\r\n\r\n\(requestLine)\r\n"
                if let body { text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)" } else { text += "\r\n" }
                return text + "\r\n"
            }
            let body = part(1, "DELETE /storage/v1/b/work/o/a HTTP/1.1")
                + part(2, "PATCH https://storage.googleapis.com/storage/v1/b/work/o/b?alt=json HTTP/1.1", body: #"{"metadata":{"k":"v"}}"#)
                + part(3, "GET /storage/v1/b/work/o/missing HTTP/1.1")
                + "--\(boundary)--\r\n"
            let response = try await emulator.send("POST", "/batch/storage/v1", body: Data(body.utf8),
                                                   headers: [("Content-Type", "multipart/mixed; boundary=\"\(boundary)\"")])
            #expect(response.status == 200, "\(response.text)")
            let contentType = try #require(response.header("Content-Type"))
            #expect(contentType.hasPrefix("multipart/mixed; boundary="))
            let text = response.text
            #expect(text.contains("Content-ID: <response-abc+1>\r\n\r\nHTTP/1.1 204"))
            #expect(text.contains("Content-ID: <response-abc+2>\r\n\r\nHTTP/1.1 200"))
            #expect(text.contains("Content-ID: <response-abc+3>\r\n\r\nHTTP/1.1 404"))
            #expect(text.contains(#""metadata":{"k":"v"}"#))
            #expect(try await emulator.send("GET", "/storage/v1/b/work/o/a").status == 404)
        }
    }

    @Test("Storage calls the emulator does not implement fail at once with UNIMPLEMENTED naming the call, never 404 or 501",
          arguments: [("GET", "/storage/v1/b/work/iam"), ("POST", "/storage/v1/b/work/o/a/watch"), ("GET", "/storage/v1/projects/demo/serviceAccount"),
                      ("POST", "/storage/v1/b/work/o"), ("GET", "/storage/v1/b/work/acl"), ("PUT", "/upload/storage/v1/b/work/o")])
    func unimplemented(_ method: String, _ path: String) async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"work"}"#)
            let response = try await emulator.send(method, path, json: "{}")
            #expect(response.status == 400, "\(response.text)")
            #expect(response.errorStatus == "UNIMPLEMENTED")
            #expect(response.errorMessage.contains("\(method) \(path)"))
        }
    }
}
