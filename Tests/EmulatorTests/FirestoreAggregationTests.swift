import Foundation
import Testing

/// `:runAggregationQuery`, `:listCollectionIds` and `:batchGet` in Google's documented formats.
@Suite("Firestore aggregation, listCollectionIds and batchGet")
struct FirestoreAggregationTests {
    static func aggregate(_ emulator: TestEmulator, _ aggregations: String, query: String = #"{"from":[{"collectionId":"nums"}]}"#) async throws -> [String: Any] {
        let response = try await emulator.send("POST", "\(TestEmulator.firestorePath):runAggregationQuery", json: """
            {"structuredAggregationQuery":{"structuredQuery":\(query),"aggregations":\(aggregations)}}
            """)
        try #require(response.status == 200, "\(response.text)")
        #expect(response.messages.count == 1)
        #expect(response.messages.first?["readTime"] is String)
        return try #require(response.messages.first?.value(at: "result.aggregateFields") as? [String: Any])
    }

    @Test("count (with upTo), sum (integer while all are integers) and avg (a double) over numeric values only")
    func countSumAvg() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.seedFirestore([
                ("nums/1", #"{"n":{"integerValue":"1"}}"#), ("nums/2", #"{"n":{"integerValue":"2"}}"#),
                ("nums/3", #"{"n":{"integerValue":"3"}}"#), ("nums/4", #"{"n":{"stringValue":"x"}}"#), ("nums/5", #"{"m":{"integerValue":"9"}}"#),
            ])
            let all = try await Self.aggregate(emulator, #"""
                [{"alias":"all","count":{}},{"alias":"two","count":{"upTo":"2"}},{"alias":"total","sum":{"field":{"fieldPath":"n"}}},
                 {"alias":"mean","avg":{"field":{"fieldPath":"n"}}},{"count":{"upTo":10}}]
                """#)
            #expect(all.value(at: "all.integerValue") as? String == "5")
            #expect(all.value(at: "two.integerValue") as? String == "2")
            #expect(all.value(at: "total.integerValue") as? String == "6")
            #expect(all.value(at: "mean.doubleValue") as? Double == 2.0)
            #expect(all.value(at: "field_1.integerValue") as? String == "5")

            let filtered = try await Self.aggregate(emulator, #"[{"alias":"c","count":{}},{"alias":"s","sum":{"field":{"fieldPath":"n"}}}]"#,
                query: #"{"from":[{"collectionId":"nums"}],"where":{"fieldFilter":{"field":{"fieldPath":"n"},"op":"GREATER_THAN","value":{"integerValue":"1"}}},"limit":1}"#)
            #expect(filtered.value(at: "c.integerValue") as? String == "1")
            #expect(filtered.value(at: "s.integerValue") as? String == "2")
        }
    }

    @Test("sum turns double with a double or an int64 overflow; over nothing sum is 0 and avg is null")
    func sumTypes() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.seedFirestore([
                ("big/1", #"{"n":{"integerValue":"9223372036854775807"}}"#), ("big/2", #"{"n":{"integerValue":"1"}}"#),
                ("mix/1", #"{"n":{"integerValue":"1"}}"#), ("mix/2", #"{"n":{"doubleValue":0.5}}"#),
            ])
            let big = try await Self.aggregate(emulator, #"[{"alias":"s","sum":{"field":{"fieldPath":"n"}}}]"#, query: #"{"from":[{"collectionId":"big"}]}"#)
            #expect(big.value(at: "s.doubleValue") as? Double == 9.223372036854775808e18)
            let mix = try await Self.aggregate(emulator, #"[{"alias":"s","sum":{"field":{"fieldPath":"n"}}},{"alias":"a","avg":{"field":{"fieldPath":"n"}}}]"#,
                                               query: #"{"from":[{"collectionId":"mix"}]}"#)
            #expect(mix.value(at: "s.doubleValue") as? Double == 1.5)
            #expect(mix.value(at: "a.doubleValue") as? Double == 0.75)
            let none = try await Self.aggregate(emulator, #"[{"alias":"s","sum":{"field":{"fieldPath":"n"}}},{"alias":"a","avg":{"field":{"fieldPath":"n"}}},{"alias":"c","count":{}}]"#,
                                                query: #"{"from":[{"collectionId":"empty"}]}"#)
            #expect(none.value(at: "s.integerValue") as? String == "0")
            #expect((none["a"] as? [String: Any])?.keys.sorted() == ["nullValue"])
            #expect(none.value(at: "c.integerValue") as? String == "0")
        }
    }

    @Test("invalid aggregations are 400 naming the member")
    func invalidAggregations() async throws {
        try await TestEmulator.run { emulator in
            for (aggregations, member) in [(#"[{"alias":"c","count":{"upTo":"0"}}]"#, "aggregations[0].count.upTo"),
                                           (#"[{"alias":"c"}]"#, "aggregations[0]"), (#"[{"alias":"x","count":{}},{"alias":"x","count":{}}]"#, "aggregations")] {
                let response = try await emulator.send("POST", "\(TestEmulator.firestorePath):runAggregationQuery", json: """
                    {"structuredAggregationQuery":{"structuredQuery":{"from":[{"collectionId":"n"}]},"aggregations":\(aggregations)}}
                    """)
                #expect(response.status == 400)
                #expect(response.errorMessage.contains(member), "\(response.errorMessage)")
            }
        }
    }

    @Test("listCollectionIds on the root and on a document, with pageSize and pageToken; collections holding only deeper documents count")
    func listCollectionIds() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.seedFirestore([
                ("jobs/a/items/1", "{}"), ("jobs/a/items-x/1", "{}"), ("jobs/a/logs/1/deep/2", "{}"), ("jobs/a", "{}"),
                ("jobs/ab/other/1", "{}"), ("a/1", "{}"), ("z/1/y/2", "{}"),
            ])
            func list(_ parent: String, _ body: String) async throws -> [String: Any] {
                let response = try await emulator.send("POST", "\(TestEmulator.firestorePath)\(parent):listCollectionIds", json: body)
                try #require(response.status == 200, "\(response.text)")
                return response.json
            }
            #expect(try await list("", "{}")["collectionIds"] as? [String] == ["a", "jobs", "z"])
            #expect(try await list("/jobs/a", "{}")["collectionIds"] as? [String] == ["items", "items-x", "logs"])
            #expect(try await list("/jobs/none", "{}")["collectionIds"] as? [String] == [])
            var ids: [String] = []
            var token: String?
            repeat {
                let page = try await list("/jobs/a", #"{"pageSize":2\#(token.map { #","pageToken":"\#($0)""# } ?? "")}"#)
                ids += page["collectionIds"] as? [String] ?? []
                token = page["nextPageToken"] as? String
            } while token != nil
            #expect(ids == ["items", "items-x", "logs"])
        }
    }

    @Test("batchGet answers found and missing with readTime, and applies the mask")
    func batchGet() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.seedFirestore([("b/1", #"{"keep":{"integerValue":"1"},"drop":{"integerValue":"2"}}"#)])
            let root = TestEmulator.firestoreRoot
            let response = try await emulator.send("POST", "\(TestEmulator.firestorePath):batchGet", json: """
                {"documents":["\(root)/b/1","\(root)/b/2"],"mask":{"fieldPaths":["keep"]}}
                """)
            #expect(response.status == 200)
            let messages = response.messages
            #expect(messages.count == 2)
            let found = try #require(messages.first { $0["found"] != nil })
            #expect(found.value(at: "found.name") as? String == "\(root)/b/1")
            #expect(found.value(at: "found.fields.keep.integerValue") as? String == "1")
            #expect(found.value(at: "found.fields.drop") == nil)
            #expect(found.value(at: "found.updateTime") is String)
            #expect(messages.first { $0["missing"] != nil }?["missing"] as? String == "\(root)/b/2")
            #expect(messages.allSatisfy { $0["readTime"] is String })
        }
    }
}
