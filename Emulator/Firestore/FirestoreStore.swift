import Foundation
import GoogleCloud
import GRDB

/// Documents in SQLite, one row per document with its fields as typed JSON. Every change goes
/// through `commit`, which applies all of a request's writes in one transaction: preconditions
/// are checked and transforms computed against the state the earlier writes left, so 50
/// concurrent increments of one counter end at exactly 50.
struct FirestoreStore: Sendable {
    let store: EmulatorStore
    /// The open transactions. Kept with the store so that every transport serving it (REST
    /// and gRPC) shares them.
    let transactions = FirestoreTransactions()
    /// Notified after every commit, so listeners (gRPC `Listen`) look again at once instead of polling.
    let changes = WorkSignal()

    static func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-firestore") { db in
            try db.execute(sql: """
                CREATE TABLE firestore_documents (
                    name TEXT PRIMARY KEY, parent TEXT NOT NULL, fields TEXT NOT NULL,
                    create_time_us INTEGER NOT NULL, update_time_us INTEGER NOT NULL) WITHOUT ROWID;
                CREATE INDEX firestore_documents_parent ON firestore_documents(parent, name);
                """)
        }
    }

    /// A write with its names resolved and checked.
    struct PreparedWrite: Sendable {
        /// What the write does to the document before its transforms.
        enum Operation: Sendable {
            case update(fields: [String: FirestoreValue], mask: [FieldPath]?)
            case delete
            case transformOnly
        }
        var document: DocumentName
        var operation: Operation
        var transforms: [(path: FieldPath, transform: FirestoreFieldTransform)]
        var precondition: FirestorePrecondition?
    }

    func document(_ name: DocumentName) async throws -> FirestoreDocument {
        try await store.read { db in
            guard let document = try Self.fetch(name.full, in: db) else {
                throw GoogleAPIError.notFound("Document \"\(name.full)\" not found.")
            }
            return document
        }
    }

    /// The named documents from one snapshot, nil where missing.
    func documents(_ names: [DocumentName]) async throws -> [FirestoreDocument?] {
        try await store.read { db in try names.map { try Self.fetch($0.full, in: db) } }
    }

    func list(collection: String, pageSize: Int, after: String?) async throws -> (documents: [FirestoreDocument], next: String?) {
        try await store.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM firestore_documents WHERE parent = ? AND name > ? ORDER BY name LIMIT ?
                """, arguments: [collection, after ?? "", pageSize + 1])
            let page = try rows.prefix(pageSize).map(Self.document(row:))
            return (page, rows.count > pageSize ? page.last?.name : nil)
        }
    }

    /// Documents of the top-level collection `id` in any project and database, newest first:
    /// their names and fields (a document whose fields do not decode is left out).
    func topLevelDocuments(collection id: String, limit: Int) async throws -> [(name: String, fields: [String: FirestoreValue])] {
        try await store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT name, fields FROM firestore_documents
                WHERE parent LIKE 'projects/%/databases/%/documents/' || ?
                ORDER BY create_time_us DESC LIMIT ?
                """, arguments: [id, limit]).compactMap { row in
                guard let fields = try? StoredJSON.decode([String: FirestoreValue].self, from: row["fields"]) else { return nil }
                return (name: row["name"] as String, fields: fields)
            }
        }
    }

    /// Applies `writes` atomically; any failing precondition or transform fails them all.
    /// With `returning`, also reads that document back as the commit left it. `readSet` (a
    /// transaction's reads: name → update time seen, nil for missing) must still hold, checked
    /// in the same serialized write, else the commit is 409 `ABORTED` and applies nothing.
    func commit(_ writes: [PreparedWrite], returning: DocumentName? = nil,
                readSet: [String: Int64?] = [:]) async throws -> (response: FirestoreCommitResponse, document: FirestoreDocument?) {
        let committed = try await store.write { db in
            for (name, seen) in readSet.sorted(by: { $0.key < $1.key }) {
                let current = try Int64.fetchOne(db, sql: "SELECT update_time_us FROM firestore_documents WHERE name = ?", arguments: [name])
                guard current == seen else {
                    throw GoogleAPIError.aborted("Transaction aborted: the document \(name) changed after the transaction read it; retry the transaction.")
                }
            }
            let commitTime = MonotonicClock.next()
            var results: [FirestoreWriteResult] = []
            for write in writes {
                results.append(try Self.apply(write, at: commitTime, in: db))
            }
            let document = try returning.flatMap { try Self.fetch($0.full, in: db) }
            return (FirestoreCommitResponse(writeResults: results, commitTime: commitTime), document)
        }
        store.scaleWarnings.documentsWritten(writes.map(\.document.full))
        changes.notify()
        return committed
    }

    /// Applies one write inside the commit's transaction.
    private static func apply(_ write: PreparedWrite, at commitTime: GoogleTimestamp, in db: Database) throws -> FirestoreWriteResult {
        let name = write.document.full
        let existing = try fetch(name, in: db)
        if let precondition = write.precondition {
            if precondition.exists == true, existing == nil {
                throw GoogleAPIError.notFound("No document to update: \(name)")
            }
            if precondition.exists == false, existing != nil {
                throw GoogleAPIError.alreadyExists("Document already exists: \(name)")
            }
            if let expected = precondition.updateTime, existing?.updateTime != expected {
                throw GoogleAPIError.failedPrecondition("The document \(name) was last updated at \(existing?.updateTime?.rfc3339 ?? "never"), not at \(expected.rfc3339) (currentDocument.updateTime).")
            }
        }
        var fields = existing?.fields ?? [:]
        switch write.operation {
        case .delete:
            try db.execute(sql: "DELETE FROM firestore_documents WHERE name = ?", arguments: [name])
            return FirestoreWriteResult(updateTime: nil, transformResults: nil)
        case .update(let newFields, let mask?):
            for path in mask { path.set(path.value(in: newFields), in: &fields) }
        case .update(let newFields, nil):
            fields = newFields
        case .transformOnly:
            break
        }
        var transformResults: [FirestoreValue] = []
        for (path, transform) in write.transforms {
            let result = try FirestoreTransforms.apply(transform, current: path.value(in: fields), requestTime: commitTime)
            path.set(result, in: &fields)
            transformResults.append(result)
        }
        let fieldsText = try StoredJSON.encode(fields)
        try db.execute(sql: """
            INSERT INTO firestore_documents(name, parent, fields, create_time_us, update_time_us) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(name) DO UPDATE SET fields = excluded.fields, update_time_us = excluded.update_time_us
            """, arguments: [name, write.document.parent, fieldsText, commitTime.microseconds, commitTime.microseconds])
        return FirestoreWriteResult(updateTime: commitTime, transformResults: write.transforms.isEmpty ? nil : transformResults)
    }

    private static func fetch(_ name: String, in db: Database) throws -> FirestoreDocument? {
        try Row.fetchOne(db, sql: "SELECT * FROM firestore_documents WHERE name = ?", arguments: [name]).map(document(row:))
    }

    private static func document(row: Row) throws -> FirestoreDocument {
        FirestoreDocument(
            name: row["name"],
            fields: try StoredJSON.decode([String: FirestoreValue].self, from: row["fields"]),
            createTime: GoogleTimestamp(microseconds: row["create_time_us"]),
            updateTime: GoogleTimestamp(microseconds: row["update_time_us"])
        )
    }
}
