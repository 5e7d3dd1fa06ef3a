import GoogleCloud
import GRDB

extension FirestoreStore {
    /// What an aggregation query computed, and the documents it read (for a transaction's read set).
    struct AggregationResult: Sendable {
        var fields: [String: FirestoreValue]
        var documents: [QueryDocument]
        var readTime: GoogleTimestamp
    }

    /// Runs `plan` over one snapshot. Counts over a whole collection are answered by SQL's
    /// `COUNT(*)` unless the documents must be recorded (`needsDocuments`, inside a transaction).
    func aggregate(_ plan: AggregationPlan, needsDocuments: Bool) async throws -> AggregationResult {
        try await store.read { db in
            let readTime = GoogleTimestamp.now()
            if plan.countsOnly, !needsDocuments, let count = try Self.countInSQL(plan.query, in: db) {
                return AggregationResult(fields: plan.results(count: count, documents: []), documents: [], readTime: readTime)
            }
            let documents = try Self.select(plan.query, in: db, alsoReading: plan.fieldPaths, complete: false).documents
            return AggregationResult(fields: plan.results(count: documents.count, documents: documents), documents: documents, readTime: readTime)
        }
    }
}
