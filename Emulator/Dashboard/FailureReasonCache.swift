import Foundation
import GRDB
import GoogleCloud

/// The first few failed items' reasons of each job, read from its item documents and kept
/// between refreshes: a job's reasons are read again only when its failed count changed and
/// fewer than `limit` were found, so a page refreshing every two seconds does not scan a large
/// job's items each time.
actor FailureReasonCache {
    private struct Entry { var failed: Int; var reasons: [String] }
    private var entries: [String: Entry] = [:]
    let limit: Int

    init(limit: Int = 3) {
        self.limit = limit
    }

    /// The reasons of job document `job` (its full name), which has `failed` failed items.
    func reasons(job: String, failed: Int, firestore: FirestoreStore) async throws -> [String] {
        guard failed > 0 else { return [] }
        if let entry = entries[job], entry.failed == failed || entry.reasons.count >= limit { return entry.reasons }
        let reasons = try await firestore.failedItemReasons(job: job, limit: limit)
        entries[job] = Entry(failed: failed, reasons: reasons)
        return reasons
    }
}

extension FirestoreStore {
    /// The `error` of the first `limit` item documents under job document `job` whose status is
    /// `failed`, in document-name (row) order. Only that job's items are scanned, through the
    /// parent index, and the scan stops at the `limit`th failure.
    func failedItemReasons(job: String, limit: Int) async throws -> [String] {
        try await store.read { db in
            try Optional<String>.fetchAll(db, sql: """
                SELECT json_extract(fields, '$.error.stringValue') FROM firestore_documents
                WHERE parent = ? AND json_extract(fields, '$.status.stringValue') = 'failed'
                ORDER BY name LIMIT ?
                """, arguments: [job + "/items", limit]).map { $0 ?? "no reason recorded" }
        }
    }
}
