import Foundation
import GoogleCloud

/// The reads: a document, a collection's page, `BatchGetDocuments`, `RunQuery`,
/// `RunAggregationQuery` and `ListCollectionIds`, each inside a transaction when asked
/// (`transaction`, or `newTransaction`, whose id the first answer carries).
extension FirestoreAPI {
    /// `GetDocument`, with a field mask; 404 when missing (a miss is still recorded in the
    /// transaction, so a document created after the read aborts its commit).
    func get(_ name: DocumentName, mask: [String], consistency: FirestoreReadConsistency) async throws -> FirestoreDocument {
        try Self.requireDocument(name, member: "name")
        let fieldMask = try Self.fieldMask(mask, member: "mask.fieldPaths")
        let transaction = try self.consistency(consistency)
        let found = try await store.documents([name])[0]
        if let id = transaction.id {
            try transactions.recordReads(id, [(name.full, found?.updateTime)], member: "transaction")
        }
        guard let found else { throw GoogleAPIError.notFound("Document \"\(name.full)\" not found.") }
        return Self.masked(found, fieldMask)
    }

    /// `ListDocuments`: a page of `collection` in name order. Only the default order is served;
    /// documents that are missing but have subcollections (`showMissing`) are not listed.
    func list(_ collection: DocumentName, pageSize: Int?, pageToken: String?, orderBy: String?, mask: [String],
              consistency: FirestoreReadConsistency) async throws -> FirestoreListResponse {
        guard !collection.path.isEmpty, !collection.isDocument else {
            throw GoogleAPIError.invalidArgument("\(collection.full) is not a collection; documents are listed in a collection.")
        }
        if let orderBy, !orderBy.isEmpty, orderBy.trimmingCharacters(in: .whitespaces) != "__name__" {
            throw GoogleAPIError.unimplemented("orderBy \"\(orderBy)\": listing documents in an order other than by name is not served by this emulator; run a query instead.")
        }
        let fieldMask = try Self.fieldMask(mask, member: "mask.fieldPaths")
        let transaction = try self.consistency(consistency)
        let page = try await store.list(collection: collection.full, pageSize: try PageToken.size(pageSize, fallback: 300, maximum: 1000),
                                        after: try PageToken.key(from: pageToken))
        if let id = transaction.id {
            try transactions.recordReads(id, page.documents.map { ($0.name ?? "", $0.updateTime) }, member: "transaction")
        }
        return FirestoreListResponse(documents: page.documents.isEmpty ? nil : page.documents.map { Self.masked($0, fieldMask) },
                                     nextPageToken: page.next.map(PageToken.make(after:)))
    }

    /// `BatchGetDocuments`: one stream message per requested name, `found` or `missing`.
    func batchGet(_ request: FirestoreBatchGetRequest, root: String) async throws -> [FirestoreBatchGetResponse] {
        let names = try (request.documents ?? []).enumerated().map { index, name in
            try DocumentName(full: name, root: root, field: "documents[\(index)]")
        }
        let mask = try Self.fieldMask(request.mask?.fieldPaths ?? [], member: "mask.fieldPaths")
        let transaction = try consistency(FirestoreReadConsistency(transaction: request.transaction, newTransaction: request.newTransaction,
                                                                   readTime: request.readTime))
        let found = try await store.documents(names)
        if let id = transaction.id {
            try transactions.recordReads(id, zip(names, found).map { ($0.full, $1?.updateTime) }, member: "transaction")
        }
        let readTime = GoogleTimestamp.now()
        return zip(names, found).enumerated().map { index, pair in
            FirestoreBatchGetResponse(found: pair.1.map { Self.masked($0, mask) }, missing: pair.1 == nil ? pair.0.full : nil,
                                      transaction: index == 0 ? transaction.began : nil, readTime: readTime)
        }
    }

    /// `RunQuery` with the request's JSON `body`: the stream messages, `[{readTime}]` when
    /// nothing matches; `skippedResults` on the first when the offset skipped any.
    func runQuery(body: Data, parent: DocumentName) async throws -> [FirestoreQueryWire.RunQueryResponse] {
        let plan = try Self.queryPlan(body: body, parent: parent)
        let transaction = try consistency(try APIJSON.decode(FirestoreReadConsistency.self, from: body))
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
        return messages
    }

    /// `RunAggregationQuery` with the request's JSON `body`: one message,
    /// `{"result":{"aggregateFields":{ALIAS: VALUE}},"readTime"}`.
    func runAggregationQuery(body: Data, parent: DocumentName) async throws -> FirestoreQueryWire.RunAggregationQueryResponse {
        let request = try APIJSON.decode(FirestoreQueryWire.RunAggregationQueryRequest.self, from: body)
        try APIJSON.decode(FirestoreUnservedQueryMembers.self, from: body).refuse()
        let plan = try AggregationPlan(request.structuredAggregationQuery, parent: try Self.queryParent(parent))
        let transaction = try consistency(try APIJSON.decode(FirestoreReadConsistency.self, from: body))
        let result = try await store.aggregate(plan, needsDocuments: transaction.id != nil)
        if let id = transaction.id {
            try transactions.recordReads(id, result.documents.map { ($0.name, $0.updateTime) }, member: "transaction")
        }
        return FirestoreQueryWire.RunAggregationQueryResponse(result: .init(aggregateFields: result.fields), readTime: result.readTime.rfc3339,
                                                              transaction: transaction.began)
    }

    /// `ListCollectionIds`: the ids of the collections below `parent`, a page at a time.
    func listCollectionIds(_ request: FirestoreListCollectionIdsRequest, parent: DocumentName) async throws -> FirestoreListCollectionIdsResponse {
        let parent = try Self.queryParent(parent)
        try Self.refuseReadTime(request.readTime)
        let page = try await store.collectionIds(under: parent, pageSize: try PageToken.size(request.pageSize, fallback: 300, maximum: 1000),
                                                 after: try PageToken.key(from: request.pageToken))
        return FirestoreListCollectionIdsResponse(collectionIds: page.ids, nextPageToken: page.next.map(PageToken.make(after:)))
    }

    /// The query of a request's JSON `body` (`structuredQuery`) run under `parent`: the same
    /// checks for `RunQuery` and a listener's query target.
    static func queryPlan(body: Data, parent: DocumentName) throws -> QueryPlan {
        let request = try APIJSON.decode(FirestoreQueryWire.RunQueryRequest.self, from: body)
        try APIJSON.decode(FirestoreUnservedQueryMembers.self, from: body).refuse()
        return try QueryPlan(request.structuredQuery, parent: try queryParent(parent))
    }

    /// Queries and collection ids run under a document or the database root, never a collection.
    private static func queryParent(_ name: DocumentName) throws -> String {
        guard name.path.isEmpty || name.isDocument else {
            throw GoogleAPIError.invalidArgument("parent: \(name.full) is a collection; queries and collection ids run under a document or the database root.")
        }
        return name.full
    }

    /// The transaction a read runs in: the given one (checked when its reads are recorded) or
    /// a new one (`began`, its id for the answer).
    private func consistency(_ selector: FirestoreReadConsistency) throws -> (id: String?, began: String?) {
        let given = [selector.transaction != nil, selector.newTransaction != nil, selector.readTime != nil].filter { $0 }.count
        guard given <= 1 else { throw GoogleAPIError.invalidArgument("At most one of transaction, newTransaction or readTime may be given.") }
        try Self.refuseReadTime(selector.readTime)
        if let options = selector.newTransaction {
            let id = try beginTransaction(options, member: "newTransaction")
            return (id, id)
        }
        if let id = selector.transaction { try transactions.recordReads(id, [], member: "transaction") }
        return (selector.transaction, nil)
    }
}
