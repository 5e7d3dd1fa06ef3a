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
    /// Without offset or limit the order does not matter, and the documents stream through an
    /// accumulator (only their names and update times are kept, and only when needed).
    func aggregate(_ plan: AggregationPlan, needsDocuments: Bool) async throws -> AggregationResult {
        try await store.read { db in
            let readTime = GoogleTimestamp.now()
            if plan.countsOnly, !needsDocuments, let count = try Self.countInSQL(plan.query, in: db) {
                return AggregationResult(fields: plan.results(count: count, accumulator: nil), documents: [], readTime: readTime)
            }
            var accumulator = AggregationAccumulator(plan)
            var count = 0
            var read: [QueryDocument] = []
            if plan.query.limit == nil, plan.query.offset == 0 {
                try Self.forEachMatch(plan.query, in: db, alsoReading: plan.fieldPaths) { document in
                    accumulator.add(document)
                    count += 1
                    if needsDocuments { read.append(QueryDocument(name: document.name, fields: [:], createTime: document.createTime, updateTime: document.updateTime)) }
                }
            } else {
                let documents = try Self.select(plan.query, in: db, alsoReading: plan.fieldPaths, complete: false).documents
                documents.forEach { accumulator.add($0) }
                count = documents.count
                if needsDocuments { read = documents }
            }
            return AggregationResult(fields: plan.results(count: count, accumulator: accumulator), documents: read, readTime: readTime)
        }
    }
}
