import Foundation
import Testing

/// The Firestore REST v1 subset as our clients call it.
@Suite("Firestore REST API")
struct FirestoreAPITests {
    static let documents = "/v1/projects/demo/databases/(default)/documents"
    static let root = "projects/demo/databases/(default)/documents"

    @Test("create, get, patch with updateMask and currentDocument, list with pages, delete")
    func documentLifecycle() async throws {
        try await TestEmulator.run { emulator in
            let created = try await emulator.send("POST", "\(Self.documents)/jobs?documentId=job-1", json: """
                {"fields":{"total":{"integerValue":"3"},"recipe":{"mapValue":{"fields":{"width":{"integerValue":"800"},"format":{"stringValue":"webp"}}}},
                 "ratio":{"doubleValue":0.5},"done":{"booleanValue":false},"deadline":{"timestampValue":"2030-01-01T00:00:00Z"},
                 "tags":{"arrayValue":{"values":[{"stringValue":"a"}]}},"note":{"nullValue":null}}}
                """)
            #expect(created.status == 200)
            #expect(created.json["name"] as? String == "\(Self.root)/jobs/job-1")
            #expect(created.json.value(at: "fields.total.integerValue") as? String == "3")
            #expect(created.json.value(at: "fields.recipe.mapValue.fields.format.stringValue") as? String == "webp")
            #expect(created.json["createTime"] is String)
            #expect(try await emulator.send("POST", "\(Self.documents)/jobs?documentId=job-1", json: "{}").errorStatus == "ALREADY_EXISTS")

            let got = try await emulator.send("GET", "\(Self.documents)/jobs/job-1")
            #expect(got.json.value(at: "fields.ratio.doubleValue") as? Double == 0.5)
            #expect(got.json.value(at: "fields.deadline.timestampValue") as? String == "2030-01-01T00:00:00.000000Z")
            #expect(got.json.value(at: "fields.tags.arrayValue.values[0].stringValue") as? String == "a")

            let patched = try await emulator.send("PATCH", "\(Self.documents)/jobs/job-1?updateMask.fieldPaths=done&updateMask.fieldPaths=recipe.width&updateMask.fieldPaths=note&currentDocument.exists=true",
                                                  json: #"{"fields":{"done":{"booleanValue":true},"recipe":{"mapValue":{"fields":{"width":{"integerValue":"400"}}}}}}"#)
            #expect(patched.status == 200)
            #expect(patched.json.value(at: "fields.done.booleanValue") as? Bool == true)
            #expect(patched.json.value(at: "fields.recipe.mapValue.fields.width.integerValue") as? String == "400")
            #expect(patched.json.value(at: "fields.recipe.mapValue.fields.format.stringValue") as? String == "webp")
            #expect(patched.json.value(at: "fields.note") == nil)
            #expect(patched.json.value(at: "fields.total.integerValue") as? String == "3")
            let missing = try await emulator.send("PATCH", "\(Self.documents)/jobs/none?currentDocument.exists=true", json: #"{"fields":{}}"#)
            #expect(missing.status == 404)

            for id in ["job-2", "job-3"] { try await emulator.send("PATCH", "\(Self.documents)/jobs/\(id)", json: #"{"fields":{}}"#) }
            var names: [String] = []
            var token: String?
            repeat {
                let page = try await emulator.send("GET", "\(Self.documents)/jobs?pageSize=2" + (token.map { "&pageToken=\($0)" } ?? ""))
                names += (page.json["documents"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                token = page.json["nextPageToken"] as? String
            } while token != nil
            #expect(names == ["job-1", "job-2", "job-3"].map { "\(Self.root)/jobs/\($0)" })

            let stale = try await emulator.send("DELETE", "\(Self.documents)/jobs/job-1?currentDocument.updateTime=2000-01-01T00:00:00Z")
            #expect(stale.status == 400)
            #expect(stale.errorStatus == "FAILED_PRECONDITION")
            #expect(try await emulator.send("DELETE", "\(Self.documents)/jobs/job-1").status == 200)
            #expect(try await emulator.send("GET", "\(Self.documents)/jobs/job-1").status == 404)
        }
    }

    @Test("commit applies update, transforms and delete atomically and returns transformResults")
    func commit() async throws {
        try await TestEmulator.run { emulator in
            let body = """
                {"writes":[
                  {"update":{"name":"\(Self.root)/jobs/j1","fields":{"state":{"stringValue":"running"}}},"updateMask":{"fieldPaths":["state"]},
                   "updateTransforms":[{"fieldPath":"done","increment":{"integerValue":"1"}},{"fieldPath":"bytes","increment":{"doubleValue":1.5}},
                                       {"fieldPath":"touched","setToServerValue":"REQUEST_TIME"}]},
                  {"update":{"name":"\(Self.root)/jobs/j1/items/i1","fields":{"ok":{"booleanValue":true}}},"currentDocument":{"exists":false}},
                  {"delete":"\(Self.root)/jobs/old"}
                ]}
                """
            let response = try await emulator.send("POST", "\(Self.documents):commit", json: body)
            #expect(response.status == 200)
            let results = try #require(response.json["writeResults"] as? [[String: Any]])
            #expect(results.count == 3)
            #expect(results[0].value(at: "transformResults[0].integerValue") as? String == "1")
            #expect(results[0].value(at: "transformResults[1].doubleValue") as? Double == 1.5)
            #expect(results[0].value(at: "transformResults[2].timestampValue") as? String == response.json["commitTime"] as? String)
            #expect(results[0]["updateTime"] as? String == response.json["commitTime"] as? String)

            let second = try await emulator.send("POST", "\(Self.documents):commit", json: body)
            #expect(second.errorStatus == "ALREADY_EXISTS")  // items/i1 exists: the whole commit fails
            let job = try await emulator.send("GET", "\(Self.documents)/jobs/j1")
            #expect(job.json.value(at: "fields.done.integerValue") as? String == "1")

            let updateTime = try #require(job.json["updateTime"] as? String)
            let guarded = """
                {"writes":[{"transform":{"document":"\(Self.root)/jobs/j1","fieldTransforms":[{"fieldPath":"done","increment":{"integerValue":"2"}}]},
                            "currentDocument":{"updateTime":"\(updateTime)"}}]}
                """
            let applied = try await emulator.send("POST", "\(Self.documents):commit", json: guarded)
            #expect((applied.json["writeResults"] as? [[String: Any]])?.first?.value(at: "transformResults[0].integerValue") as? String == "3")
            let rejected = try await emulator.send("POST", "\(Self.documents):commit", json: guarded)
            #expect(rejected.status == 400)
            #expect(rejected.errorStatus == "FAILED_PRECONDITION")
        }
    }

    @Test(":batchGet answers a JSON array of found and missing documents")
    func batchGet() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("PATCH", "\(Self.documents)/jobs/a", json: #"{"fields":{"n":{"integerValue":"1"}}}"#)
            let response = try await emulator.send("POST", "\(Self.documents):batchGet",
                                                   json: #"{"documents":["\#(Self.root)/jobs/a","\#(Self.root)/jobs/b"]}"#)
            let stream = try #require(try JSONSerialization.jsonObject(with: response.body) as? [[String: Any]])
            #expect(stream.count == 2)
            #expect(stream[0].value(at: "found.fields.n.integerValue") as? String == "1")
            #expect(stream[1]["missing"] as? String == "\(Self.root)/jobs/b")
            #expect(stream[1]["readTime"] is String)
        }
    }

    @Test("document ids may contain colons; only Firestore's methods are verbs")
    func colonInID() async throws {
        try await TestEmulator.run { emulator in
            let created = try await emulator.send("PATCH", "\(Self.documents)/items/sku:42", json: #"{"fields":{"ok":{"booleanValue":true}}}"#)
            #expect(created.json["name"] as? String == "\(Self.root)/items/sku:42")
            #expect(try await emulator.send("GET", "\(Self.documents)/items/sku:42").json.value(at: "fields.ok.booleanValue") as? Bool == true)
            #expect(try await emulator.send("POST", "\(Self.documents):partitionQuery", json: "{}").errorStatus == "UNIMPLEMENTED")
        }
    }
}
