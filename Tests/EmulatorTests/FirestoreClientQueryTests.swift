import Foundation
import GoogleCloud
import Testing

/// The Swift client's `runQuery` and `runAggregationQuery` against the emulator.
@Suite("Firestore client queries")
struct FirestoreClientQueryTests {
    @Test("FirestoreClient.runQuery (filter, order, cursor, limit, collection group) and runAggregationQuery (count, sum, avg)")
    func clientQueries() async throws {
        try await TestEmulator.run { emulator in
            let firestore = FirestoreClient(api: GoogleAPIClient(endpoints: .emulator(emulator.baseURL)), project: "demo")
            for row in 0..<6 {
                try await firestore.create("jobs/j1/items", id: String(format: "%03d", row), fields: [
                    "row": .integer(Int64(row)), "status": .string(row % 3 == 0 ? "failed" : "succeeded"), "bytes": .double(Double(row) * 1.5),
                ])
            }
            try await firestore.create("jobs/j2/items", id: "000", fields: ["row": .integer(0), "status": .string("failed")])

            let failed = try await firestore.runQuery(FirestoreQuery(from: "items", where: .field("status", .equal, .string("failed"))), parent: "jobs/j1")
            #expect(failed.compactMap(\.name) == ["000", "003"].map { firestore.documentName("jobs/j1/items/\($0)") })

            let page = try await firestore.runQuery(FirestoreQuery(
                from: "items", where: .field("row", .greaterThan, .integer(0)), orderBy: [.init("row", .descending)],
                startAt: .init(values: [.integer(4)], before: false), limit: 2), parent: "jobs/j1")
            #expect(page.map { $0.fields?["row"] } == [.integer(3), .integer(2)])

            let group = try await firestore.runQuery(FirestoreQuery(from: "items", allDescendants: true, where: .field("status", .equal, .string("failed")), select: ["__name__"]))
            #expect(group.compactMap(\.name) == ["jobs/j1/items/000", "jobs/j1/items/003", "jobs/j2/items/000"].map(firestore.documentName))
            #expect(group.allSatisfy { ($0.fields ?? [:]).isEmpty })

            let totals = try await firestore.runAggregationQuery(FirestoreQuery(from: "items"), aggregations: [
                .count(as: "items"), .count(as: "some", upTo: 4), .sum("row", as: "rows"), .avg("bytes", as: "meanBytes"),
            ], parent: "jobs/j1")
            #expect(totals == ["items": .integer(6), "some": .integer(4), "rows": .integer(15), "meanBytes": .double(3.75)])
        }
    }
}
