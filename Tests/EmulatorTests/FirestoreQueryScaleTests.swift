import Foundation
import GoogleCloud
import Testing

@testable import Emulator

/// A page of 1,000 deep in a 100,000-document collection, as the pipeline's item listings ask
/// for it. Prints how long each query took (`firestore-scale[…]` lines); asserts only what
/// each page holds, never a time.
@Suite("Firestore query scale")
struct FirestoreQueryScaleTests {
    static let count = 100_000

    @Test("pages of 1,000 at row 90,000 of 100,000 items: by __name__ cursor, with a filter, by a field; a count, and a filtered sum")
    func deepPages() async throws {
        try await TestEmulator.run { emulator in
            let store = FirestoreStore(store: emulator.store)
            let root = TestEmulator.firestoreRoot
            let writes = try (0..<Self.count).map { row in
                FirestoreStore.PreparedWrite(
                    document: try DocumentName(root: root, path: ["jobs", "J", "items", String(format: "%06d", row)]),
                    operation: .update(fields: ["row": .integer(Int64(row)), "status": .string(row % 10 == 0 ? "failed" : "succeeded")], mask: nil),
                    transforms: [], precondition: nil)
            }
            _ = try await store.commit(writes)
            let items = "\(root)/jobs/J/items"

            func timed(_ label: String, _ body: String, parent: String = "jobs/J") async throws -> [[String: Any]] {
                let start = ContinuousClock.now
                let response = try await emulator.runQuery(body, parent: parent)
                let elapsed = ContinuousClock.now - start
                try #require(response.status == 200, "\(response.text)")
                print("firestore-scale[\(label)]: \(response.messages.count) messages in \(elapsed.formatted(.units(allowed: [.milliseconds], fractionalPart: .show(length: 1))))")
                return response.messages
            }
            func rows(_ messages: [[String: Any]]) -> [Int] {
                messages.compactMap { ($0.value(at: "document.fields.row.integerValue") as? String).flatMap { Int($0) } }
            }

            let byName = try await timed("name cursor, limit 1000", #"""
                {"structuredQuery":{"from":[{"collectionId":"items"}],"orderBy":[{"field":{"fieldPath":"__name__"}}],
                 "startAt":{"values":[{"referenceValue":"\#(items)/090000"}],"before":false},"limit":1000}}
                """#)
            #expect(rows(byName) == Array(90_001...91_000))

            let filtered = try await timed("name cursor + status filter, limit 1000", #"""
                {"structuredQuery":{"from":[{"collectionId":"items"}],"where":{"fieldFilter":{"field":{"fieldPath":"status"},"op":"EQUAL","value":{"stringValue":"failed"}}},
                 "startAt":{"values":[{"referenceValue":"\#(items)/090000"}],"before":true},"limit":1000}}
                """#)
            #expect(rows(filtered) == Array(stride(from: 90_000, to: 100_000, by: 10)))

            let byField = try await timed("order by row (a full scan), limit 1000", #"""
                {"structuredQuery":{"from":[{"collectionId":"items"}],"orderBy":[{"field":{"fieldPath":"row"}}],
                 "startAt":{"values":[{"integerValue":"90000"}],"before":true},"limit":1000}}
                """#)
            #expect(rows(byField) == Array(90_000..<91_000))

            let start = ContinuousClock.now
            let count = try await emulator.send("POST", "\(TestEmulator.firestorePath)/jobs/J:runAggregationQuery", json: """
                {"structuredAggregationQuery":{"structuredQuery":{"from":[{"collectionId":"items"}]},"aggregations":[{"alias":"n","count":{}}]}}
                """)
            print("firestore-scale[count of 100000]: \((ContinuousClock.now - start).formatted(.units(allowed: [.milliseconds], fractionalPart: .show(length: 1))))")
            #expect(count.messages.first?.value(at: "result.aggregateFields.n.integerValue") as? String == "100000")

            let sumStart = ContinuousClock.now
            let sum = try await emulator.send("POST", "\(TestEmulator.firestorePath)/jobs/J:runAggregationQuery", json: """
                {"structuredAggregationQuery":{"structuredQuery":{"from":[{"collectionId":"items"}],
                 "where":{"fieldFilter":{"field":{"fieldPath":"status"},"op":"EQUAL","value":{"stringValue":"succeeded"}}}},
                 "aggregations":[{"alias":"n","count":{}},{"alias":"rows","sum":{"field":{"fieldPath":"row"}}}]}}
                """)
            print("firestore-scale[filtered count and sum over 90000 of 100000]: \((ContinuousClock.now - sumStart).formatted(.units(allowed: [.milliseconds], fractionalPart: .show(length: 1))))")
            #expect(sum.messages.first?.value(at: "result.aggregateFields.n.integerValue") as? String == "90000")
            #expect(sum.messages.first?.value(at: "result.aggregateFields.rows.integerValue") as? String == "4500000000")
        }
    }
}
