import Foundation
import Testing

/// Transactions under optimistic concurrency: reads record what they saw, a commit applies
/// only if none of it changed (else 409 ABORTED), and ends the transaction.
@Suite("Firestore transactions")
struct FirestoreTransactionTests {
    static let counter = "\(TestEmulator.firestoreRoot)/counters/c"

    static func begin(_ emulator: TestEmulator, _ body: String = "{}") async throws -> String {
        let response = try await emulator.send("POST", "\(TestEmulator.firestorePath):beginTransaction", json: body)
        try #require(response.status == 200, "\(response.text)")
        return try #require(response.json["transaction"] as? String)
    }

    /// A commit setting the counter to `value` inside `transaction`.
    static func commit(_ emulator: TestEmulator, _ transaction: String, value: Int) async throws -> TestResponse {
        try await emulator.send("POST", "\(TestEmulator.firestorePath):commit", json: """
            {"transaction":"\(transaction)","writes":[{"update":{"name":"\(counter)","fields":{"n":{"integerValue":"\(value)"}}}}]}
            """)
    }

    static func read(_ emulator: TestEmulator, _ transaction: String) async throws -> Int? {
        let encoded = transaction.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let response = try await emulator.send("GET", "\(TestEmulator.firestorePath)/counters/c?transaction=\(encoded)")
        return (response.json.value(at: "fields.n.integerValue") as? String).flatMap { Int($0) }
    }

    @Test("begin, read, commit applies the writes and ends the transaction (a second commit with it is 400)")
    func commitEnds() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.seedFirestore([("counters/c", #"{"n":{"integerValue":"1"}}"#)])
            let transaction = try await Self.begin(emulator)
            #expect(try await Self.read(emulator, transaction) == 1)
            let committed = try await Self.commit(emulator, transaction, value: 2)
            #expect(committed.status == 200)
            #expect(committed.json["commitTime"] is String)
            #expect(try await emulator.send("GET", "\(TestEmulator.firestorePath)/counters/c").json.value(at: "fields.n.integerValue") as? String == "2")
            let again = try await Self.commit(emulator, transaction, value: 3)
            #expect(again.status == 400)
            #expect(again.errorStatus == "INVALID_ARGUMENT")
        }
    }

    @Test("a document changed after the transaction read it makes the commit 409 ABORTED, and nothing of it applies")
    func conflict() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.seedFirestore([("counters/c", #"{"n":{"integerValue":"1"}}"#)])
            let transaction = try await Self.begin(emulator)
            #expect(try await Self.read(emulator, transaction) == 1)
            try await emulator.seedFirestore([("counters/c", #"{"n":{"integerValue":"10"}}"#)])
            let response = try await emulator.send("POST", "\(TestEmulator.firestorePath):commit", json: """
                {"transaction":"\(transaction)","writes":[{"update":{"name":"\(Self.counter)","fields":{"n":{"integerValue":"2"}}}},
                 {"update":{"name":"\(TestEmulator.firestoreRoot)/counters/other","fields":{}}}]}
                """)
            #expect(response.status == 409)
            #expect(response.errorStatus == "ABORTED")
            #expect(try await emulator.send("GET", "\(TestEmulator.firestorePath)/counters/c").json.value(at: "fields.n.integerValue") as? String == "10")
            #expect(try await emulator.send("GET", "\(TestEmulator.firestorePath)/counters/other").status == 404)
        }
    }

    @Test("a document read as missing and created meanwhile aborts; reads through runQuery and batchGet are recorded too")
    func readsOfEveryKind() async throws {
        try await TestEmulator.run { emulator in
            let missing = try await Self.begin(emulator)
            #expect(try await Self.read(emulator, missing) == nil)
            try await emulator.seedFirestore([("counters/c", #"{"n":{"integerValue":"1"}}"#)])
            #expect(try await Self.commit(emulator, missing, value: 2).errorStatus == "ABORTED")

            let queried = try await Self.begin(emulator)
            let query = try await emulator.runQuery(#"{"transaction":"\#(queried)","structuredQuery":{"from":[{"collectionId":"counters"}]}}"#)
            #expect(query.messages.count == 1)
            try await emulator.seedFirestore([("counters/c", #"{"n":{"integerValue":"5"}}"#)])
            #expect(try await Self.commit(emulator, queried, value: 2).errorStatus == "ABORTED")

            let batched = try await Self.begin(emulator)
            let batch = try await emulator.send("POST", "\(TestEmulator.firestorePath):batchGet", json: #"{"transaction":"\#(batched)","documents":["\#(Self.counter)"]}"#)
            #expect(batch.status == 200)
            try await emulator.seedFirestore([("counters/c", #"{"n":{"integerValue":"6"}}"#)])
            #expect(try await Self.commit(emulator, batched, value: 2).errorStatus == "ABORTED")

            // Unchanged reads commit.
            let clean = try await Self.begin(emulator)
            _ = try await emulator.runQuery(#"{"transaction":"\#(clean)","structuredQuery":{"from":[{"collectionId":"counters"}]}}"#)
            #expect(try await Self.commit(emulator, clean, value: 7).status == 200)
        }
    }

    @Test("two concurrent read-modify-write transactions on one document: one commits, the other is ABORTED")
    func concurrentReadModifyWrite() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.seedFirestore([("counters/c", #"{"n":{"integerValue":"0"}}"#)])
            let first = try await Self.begin(emulator)
            let second = try await Self.begin(emulator)
            let seenFirst = try #require(try await Self.read(emulator, first))
            let seenSecond = try #require(try await Self.read(emulator, second))
            async let a = Self.commit(emulator, first, value: seenFirst + 1)
            async let b = Self.commit(emulator, second, value: seenSecond + 1)
            let statuses = try await [a.status, b.status].sorted()
            #expect(statuses == [200, 409])
            #expect(try await emulator.send("GET", "\(TestEmulator.firestorePath)/counters/c").json.value(at: "fields.n.integerValue") as? String == "1")
        }
    }

    @Test("read-only transactions read but cannot write; rollback ends a transaction; unknown ids are 400")
    func readOnlyRollbackUnknown() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.seedFirestore([("counters/c", #"{"n":{"integerValue":"1"}}"#)])
            let readOnly = try await Self.begin(emulator, #"{"options":{"readOnly":{}}}"#)
            #expect(try await Self.read(emulator, readOnly) == 1)
            let write = try await Self.commit(emulator, readOnly, value: 5)
            #expect(write.status == 400)
            #expect(write.errorStatus == "INVALID_ARGUMENT")

            let rolledBack = try await Self.begin(emulator)
            #expect(try await emulator.send("POST", "\(TestEmulator.firestorePath):rollback", json: #"{"transaction":"\#(rolledBack)"}"#).status == 200)
            #expect(try await Self.commit(emulator, rolledBack, value: 5).status == 400)
            #expect(try await emulator.send("POST", "\(TestEmulator.firestorePath):rollback", json: #"{"transaction":"\#(rolledBack)"}"#).status == 400)

            let unknown = "AAAAAAAAAAAAAAAAAAAAAA=="
            #expect(try await Self.commit(emulator, unknown, value: 5).status == 400)
            let query = try await emulator.runQuery(#"{"transaction":"\#(unknown)","structuredQuery":{"from":[{"collectionId":"counters"}]}}"#)
            #expect(query.status == 400)
            #expect(query.errorStatus == "INVALID_ARGUMENT")
            #expect(try await emulator.send("GET", "\(TestEmulator.firestorePath)/counters/c?transaction=\(unknown)").status == 400)
        }
    }

    @Test("newTransaction on a read begins one and answers its id in the first message")
    func newTransaction() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.seedFirestore([("counters/c", #"{"n":{"integerValue":"1"}}"#)])
            let query = try await emulator.runQuery(#"{"newTransaction":{},"structuredQuery":{"from":[{"collectionId":"counters"}]}}"#)
            let transaction = try #require(query.messages.first?["transaction"] as? String)
            #expect(try await Self.commit(emulator, transaction, value: 2).status == 200)
        }
    }
}
