import Foundation
import Testing

@testable import Emulator

/// Copy, rewrite (with its token loop) and compose, as gcloud and the client libraries call them.
@Suite("Storage copy, rewrite and compose")
struct StorageCopyComposeTests {
    private func upload(_ emulator: TestEmulator, _ name: String, _ data: Data, type: String = "text/plain") async throws -> [String: Any] {
        let response = try await emulator.send("POST", "/upload/storage/v1/b/work/o?uploadType=media&name=\(name.percentEncodedPathSegment())",
                                                body: data, headers: [("Content-Type", type)])
        #expect(response.status == 200, "\(response.text)")
        return response.json
    }

    @Test("copyTo copies bytes and metadata to a new name, and a body's metadata replaces the source's")
    func copy() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"work"}"#)
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"other"}"#)
            _ = try await upload(emulator, "in/a.csv", Data("sku,url\n".utf8), type: "text/csv")
            let copied = try await emulator.send("POST", "/storage/v1/b/work/o/in%2Fa.csv/copyTo/b/other/o/out%2Fb.csv", json: "")
            #expect(copied.status == 200, "\(copied.text)")
            #expect(copied.json["name"] as? String == "out/b.csv")
            #expect(copied.json["bucket"] as? String == "other")
            #expect(copied.json["contentType"] as? String == "text/csv")
            #expect(try await emulator.send("GET", "/storage/v1/b/other/o/out%2Fb.csv?alt=media").text == "sku,url\n")
            let relabelled = try await emulator.send("POST", "/storage/v1/b/work/o/in%2Fa.csv/copyTo/b/work/o/c.txt",
                                                     json: #"{"contentType":"text/plain","metadata":{"k":"v"}}"#)
            #expect(relabelled.json["contentType"] as? String == "text/plain")
            #expect(relabelled.json.value(at: "metadata.k") as? String == "v")
            let missing = try await emulator.send("POST", "/storage/v1/b/work/o/nope/copyTo/b/work/o/x", json: "")
            #expect(missing.status == 404)
            let guarded = try await emulator.send("POST", "/storage/v1/b/work/o/in%2Fa.csv/copyTo/b/work/o/c.txt?ifGenerationMatch=0", json: "")
            #expect(guarded.status == 412)
        }
    }

    @Test("a rewrite of a large object loops on rewriteToken until done, then holds the same bytes")
    func rewriteLoop() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"work"}"#)
            let bytes = Data((0..<(3 << 20) + 5).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let source = try await upload(emulator, "big.bin", bytes, type: "application/octet-stream")
            var token: String?
            var calls = 0
            var final: [String: Any] = [:]
            repeat {
                calls += 1
                let query = "maxBytesRewrittenPerCall=1048576" + (token.map { "&rewriteToken=\($0.percentEncodedPathSegment())" } ?? "")
                let step = try await emulator.send("POST", "/storage/v1/b/work/o/big.bin/rewriteTo/b/work/o/copy.bin?\(query)", json: "{}")
                #expect(step.status == 200, "\(step.text)")
                #expect(step.json["kind"] as? String == "storage#rewriteResponse")
                #expect(step.json["objectSize"] as? String == String(bytes.count))
                token = step.json["rewriteToken"] as? String
                final = step.json
                if step.json["done"] as? Bool == false {
                    #expect(token != nil)
                    #expect(try await emulator.send("GET", "/storage/v1/b/work/o/copy.bin").status == 404)
                }
            } while final["done"] as? Bool == false && calls < 10
            #expect(calls == 4)
            #expect(final.value(at: "resource.md5Hash") as? String == source["md5Hash"] as? String)
            #expect(final["totalBytesRewritten"] as? String == String(bytes.count))
            #expect(try await emulator.send("GET", "/storage/v1/b/work/o/copy.bin?alt=media").body == bytes)
            let foreign = try await emulator.send("POST", "/storage/v1/b/work/o/big.bin/rewriteTo/b/work/o/other.bin?rewriteToken=bm9wZQ==", json: "{}")
            #expect(foreign.status == 400)
        }
    }

    @Test("compose concatenates sources in order into the destination, with its metadata (checksums sent for it ignored, as gcloud sends the first source's)")
    func compose() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"work"}"#)
            let first = try await upload(emulator, "part-1", Data("abc".utf8))
            _ = try await upload(emulator, "part-2", Data("def".utf8))
            let body = #"{"sourceObjects":[{"name":"part-1","generation":"\#(first["generation"] as? String ?? "")"},{"name":"part-2"},{"name":"part-1"}],"destination":{"contentType":"text/plain","md5Hash":"\#(first["md5Hash"] as? String ?? "")","metadata":{"composed":"yes"}}}"#
            let composed = try await emulator.send("POST", "/storage/v1/b/work/o/whole.txt/compose", json: body)
            #expect(composed.status == 200, "\(composed.text)")
            #expect(composed.json["size"] as? String == "9")
            #expect(composed.json["contentType"] as? String == "text/plain")
            #expect(composed.json.value(at: "metadata.composed") as? String == "yes")
            #expect(try await emulator.send("GET", "/storage/v1/b/work/o/whole.txt?alt=media").text == "abcdefabc")
            let stale = try await emulator.send("POST", "/storage/v1/b/work/o/x/compose", json: #"{"sourceObjects":[{"name":"part-1","generation":1}]}"#)
            #expect(stale.status == 404)
            let none = try await emulator.send("POST", "/storage/v1/b/work/o/x/compose", json: #"{"sourceObjects":[]}"#)
            #expect(none.status == 400)
        }
    }
}
