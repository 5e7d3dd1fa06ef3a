import Foundation
import GoogleCloud
import Hummingbird
import NIOCore

/// The reads: a document, `:batchGet`, `:runQuery`, `:runAggregationQuery`, each inside a
/// transaction when asked (`transaction`, or `newTransaction`, whose id the first answer carries).
extension FirestoreRoutes {
    /// `GET …/documents/PATH` with `mask.fieldPaths` and `transaction`.
    func getDocument(_ name: DocumentName, query: APIQuery) async throws -> Response {
        let mask = try fieldMask(query.all("mask.fieldPaths"), member: "mask.fieldPaths")
        try Self.refuseReadTime(query["readTime"])
        let found = try await store.documents([name])[0]
        if let id = query["transaction"] {
            try transactions.recordReads(id, [(name.full, found?.updateTime)], member: "transaction")
        }
        guard let found else { throw GoogleAPIError.notFound("Document \"\(name.full)\" not found.") }
        return try APIJSON.response(Self.masked(found, mask))
    }

    /// `:batchGet`: one stream message per requested name, `found` or `missing`.
    func batchGet(_ request: Request, root: String) async throws -> Response {
        let body = try await request.decodeJSON(FirestoreBatchGetRequest.self, limit: limits.maxRequestBytes)
        let names = try (body.documents ?? []).enumerated().map { index, name in
            try DocumentName(full: name, root: root, field: "documents[\(index)]")
        }
        let mask = try fieldMask(body.mask?.fieldPaths ?? [], member: "mask.fieldPaths")
        let transaction = try consistency(FirestoreReadConsistency(transaction: body.transaction, newTransaction: body.newTransaction, readTime: body.readTime))
        let found = try await store.documents(names)
        if let id = transaction.id {
            try transactions.recordReads(id, zip(names, found).map { ($0.full, $1?.updateTime) }, member: "transaction")
        }
        let readTime = GoogleTimestamp.now()
        // A server-streaming method: REST answers with a JSON array of stream messages.
        return try APIJSON.response(zip(names, found).enumerated().map { index, pair in
            FirestoreBatchGetResponse(found: pair.1.map { Self.masked($0, mask) }, missing: pair.1 == nil ? pair.0.full : nil,
                                      transaction: index == 0 ? transaction.began : nil, readTime: readTime)
        })
    }

    /// `:runQuery`: a JSON array of `{"document","readTime"}` messages, `[{"readTime"}]` when
    /// nothing matches; `skippedResults` on the first message when the offset skipped any.
    func runQuery(_ request: Request, parent: String) async throws -> Response {
        let data = Data((try await request.collectBody(limit: limits.maxRequestBytes)).readableBytesView)
        let body = try APIJSON.decode(FirestoreQueryWire.RunQueryRequest.self, from: data.isEmpty ? Data("{}".utf8) : data)
        try APIJSON.decode(FirestoreUnservedQueryMembers.self, from: data.isEmpty ? Data("{}".utf8) : data).refuse()
        let plan = try QueryPlan(body.structuredQuery, parent: parent)
        let transaction = try consistency(try APIJSON.decode(FirestoreReadConsistency.self, from: data.isEmpty ? Data("{}".utf8) : data))
        let result = try await store.runQuery(plan)
        if let id = transaction.id {
            try transactions.recordReads(id, result.documents.map { ($0.name, $0.updateTime) }, member: "transaction")
        }
        let readTime = result.readTime.rfc3339
        var messages = result.documents.map { document in
            FirestoreQueryWire.RunQueryResponse(document: document.resource(projection: plan.projection), readTime: readTime)
        }
        if messages.isEmpty { messages = [FirestoreQueryWire.RunQueryResponse(readTime: readTime)] }
        if result.skipped > 0 { messages[0].skippedResults = result.skipped }
        messages[0].transaction = transaction.began
        return try APIJSON.response(messages)
    }

    /// `:runAggregationQuery`: one message, `{"result":{"aggregateFields":{ALIAS: VALUE}},"readTime"}`.
    func runAggregationQuery(_ request: Request, parent: String) async throws -> Response {
        let data = Data((try await request.collectBody(limit: limits.maxRequestBytes)).readableBytesView)
        let body = try APIJSON.decode(FirestoreQueryWire.RunAggregationQueryRequest.self, from: data.isEmpty ? Data("{}".utf8) : data)
        try APIJSON.decode(FirestoreUnservedQueryMembers.self, from: data.isEmpty ? Data("{}".utf8) : data).refuse()
        let plan = try AggregationPlan(body.structuredAggregationQuery, parent: parent)
        let transaction = try consistency(try APIJSON.decode(FirestoreReadConsistency.self, from: data.isEmpty ? Data("{}".utf8) : data))
        let result = try await store.aggregate(plan, needsDocuments: transaction.id != nil)
        if let id = transaction.id {
            try transactions.recordReads(id, result.documents.map { ($0.name, $0.updateTime) }, member: "transaction")
        }
        return try APIJSON.response([FirestoreQueryWire.RunAggregationQueryResponse(
            result: .init(aggregateFields: result.fields), readTime: result.readTime.rfc3339, transaction: transaction.began)])
    }

    /// Begins a transaction with `options` (read-write when absent); returns its id.
    func begin(_ options: FirestoreTransactionOptions?, member: String) throws -> String {
        if options?.readOnly != nil, options?.readWrite != nil {
            throw GoogleAPIError.invalidArgument("\(member) must have at most one of readOnly or readWrite.")
        }
        try Self.refuseReadTime(options?.readOnly?.readTime)
        if let retried = options?.readWrite?.retryTransaction {
            // The transaction being retried is over, as in Firestore; it may already have ended.
            _ = try? transactions.end(retried, member: "\(member).readWrite.retryTransaction")
        }
        return transactions.begin(readOnly: options?.readOnly != nil)
    }

    /// The transaction a read runs in: the given one (checked when its reads are recorded) or
    /// a new one (`began`, its id for the answer).
    private func consistency(_ selector: FirestoreReadConsistency) throws -> (id: String?, began: String?) {
        let given = [selector.transaction != nil, selector.newTransaction != nil, selector.readTime != nil].filter { $0 }.count
        guard given <= 1 else { throw GoogleAPIError.invalidArgument("At most one of transaction, newTransaction or readTime may be given.") }
        try Self.refuseReadTime(selector.readTime)
        if let options = selector.newTransaction {
            let id = try begin(options, member: "newTransaction")
            return (id, id)
        }
        if let id = selector.transaction { try transactions.recordReads(id, [], member: "transaction") }
        return (selector.transaction, nil)
    }

    /// Reads at a past `readTime` need old versions, which the emulator does not keep.
    static func refuseReadTime(_ readTime: String?) throws {
        guard let readTime else { return }
        throw GoogleAPIError.unimplemented("readTime \(readTime): reads at a past time are not served by this emulator (it keeps no old versions).")
    }

    private func fieldMask(_ paths: [String], member: String) throws -> [FieldPath]? {
        guard !paths.isEmpty else { return nil }
        return try paths.map { text in
            guard let path = FieldPath(text) else { throw GoogleAPIError.invalidArgument("\(member): invalid field path \"\(text)\".") }
            return path
        }
    }

    /// The document with only the fields of `mask` (all of them without one).
    static func masked(_ document: FirestoreDocument, _ mask: [FieldPath]?) -> FirestoreDocument {
        guard let mask else { return document }
        var shown: [String: FirestoreValue] = [:]
        for path in mask {
            if let value = path.value(in: document.fields ?? [:]) { path.set(value, in: &shown) }
        }
        var copy = document
        copy.fields = shown
        return copy
    }
}
