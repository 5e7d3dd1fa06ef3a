import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird

/// Firestore REST v1: documents (get, list, create, patch, delete), `:commit`, `:batchGet`,
/// `:runQuery`, `:runAggregationQuery`, `:listCollectionIds` and transactions
/// (`:beginTransaction`, `:rollback`, `transaction` on reads and commits).
struct FirestoreRoutes: APIRouteGroup {
    let store: FirestoreStore
    let limits: APILimits
    /// The open transactions, shared by every request this route group serves.
    let transactions = FirestoreTransactions()

    func register(on router: Router<BasicRequestContext>) {
        registerAllMethods("v1/projects/:project/databases/**", on: router) { request, _ in try await handle(request) }
    }

    private func handle(_ request: Request) async throws -> Response {
        // Document ids may contain colons: only Firestore's own methods count as verbs.
        let path = try request.apiPath(verbs: Self.verbs)
        let segments = path.segments
        guard segments.count >= 6, segments[3] == "databases", segments[5] == "documents" else {
            throw GoogleAPIError.notFound("Not found: \(request.uri.path)")
        }
        guard ResourceID.isValidProjectOrLocation(segments[2]), !segments[4].isEmpty, !segments[4].contains("/") else {
            throw GoogleAPIError.invalidArgument("Invalid database \"projects/\(segments[2])/databases/\(segments[4])\".")
        }
        let root = "projects/\(segments[2])/databases/\(segments[4])/documents"
        let name = try DocumentName(root: root, path: Array(segments.dropFirst(6)))
        let query = request.apiQuery
        switch (path.verb, request.method, name.path.isEmpty, name.isDocument) {
        case ("commit", .post, true, _):
            let body = try await request.decodeJSON(FirestoreCommitRequest.self, limit: limits.maxRequestBytes)
            let writes = try (body.writes ?? []).enumerated().map { index, write in try prepare(write, root: root, field: "writes[\(index)]") }
            var readSet: [String: Int64?] = [:]
            if let id = body.transaction {
                let transaction = try transactions.end(id, member: "transaction")
                guard !transaction.readOnly || writes.isEmpty else {
                    throw GoogleAPIError.invalidArgument("transaction: a read-only transaction cannot commit writes.")
                }
                readSet = transaction.reads
            }
            return try APIJSON.response(try await store.commit(writes, readSet: readSet).response)
        case ("beginTransaction", .post, true, _):
            let body = try await request.decodeJSON(FirestoreBeginTransactionRequest.self, limit: limits.maxRequestBytes)
            return try APIJSON.response(FirestoreBeginTransactionResponse(transaction: try begin(body.options, member: "options")))
        case ("rollback", .post, true, _):
            let body = try await request.decodeJSON(FirestoreRollbackRequest.self, limit: limits.maxRequestBytes)
            guard let id = body.transaction else { throw GoogleAPIError.invalidArgument("transaction is required.") }
            _ = try transactions.end(id, member: "transaction")
            return APIJSON.emptyResponse()
        case ("batchGet", .post, true, _):
            return try await batchGet(request, root: root)
        case ("runQuery", .post, _, _) where name.path.isEmpty || name.isDocument:
            return try await runQuery(request, parent: name.full)
        case ("runAggregationQuery", .post, _, _) where name.path.isEmpty || name.isDocument:
            return try await runAggregationQuery(request, parent: name.full)
        case ("listCollectionIds", .post, _, _) where name.path.isEmpty || name.isDocument:
            let body = try await request.decodeJSON(FirestoreListCollectionIdsRequest.self, limit: limits.maxRequestBytes)
            try Self.refuseReadTime(body.readTime)
            let page = try await store.collectionIds(under: name.full, pageSize: try PageToken.size(body.pageSize, fallback: 300, maximum: 1000),
                                                     after: try PageToken.key(from: body.pageToken))
            return try APIJSON.response(FirestoreListCollectionIdsResponse(collectionIds: page.ids, nextPageToken: page.next.map(PageToken.make(after:))))
        case ("runQuery", .post, _, _), ("runAggregationQuery", .post, _, _), ("listCollectionIds", .post, _, _):
            throw GoogleAPIError.invalidArgument("parent: \(name.full) is a collection; queries and collection ids run under a document or the database root.")
        case (let verb?, _, _, _):
            throw GoogleAPIError.unimplemented("Method :\(verb) on \(name.full) is not served by this emulator.")
        case (nil, .get, false, true):
            return try await getDocument(name, query: query)
        case (nil, .get, false, false):
            let page = try await store.list(collection: name.full, pageSize: try PageToken.size(query.int("pageSize"), fallback: 300, maximum: 1000),
                                            after: try PageToken.key(from: query["pageToken"]))
            return try APIJSON.response(FirestoreListResponse(documents: page.documents.isEmpty ? nil : page.documents,
                                                              nextPageToken: page.next.map(PageToken.make(after:))))
        case (nil, .patch, false, true):
            let body = try await request.decodeJSON(FirestoreDocument.self, limit: limits.maxRequestBytes)
            let masks = try query.all("updateMask.fieldPaths").map { try fieldPath($0, field: "updateMask.fieldPaths") }
            let write = FirestoreStore.PreparedWrite(document: name, operation: .update(fields: body.fields ?? [:], mask: masks.isEmpty ? nil : masks),
                                                     transforms: [], precondition: try precondition(query))
            return try APIJSON.response(try await store.commit([write], returning: name).document)
        case (nil, .delete, false, true):
            _ = try await store.commit([.init(document: name, operation: .delete, transforms: [], precondition: try precondition(query))])
            return APIJSON.emptyResponse()
        case (nil, .post, false, false):
            let body = try await request.decodeJSON(FirestoreDocument.self, limit: limits.maxRequestBytes)
            let id = query["documentId"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.generatedID()
            let document = try DocumentName(root: root, path: name.path + [id])
            let write = FirestoreStore.PreparedWrite(document: document, operation: .update(fields: body.fields ?? [:], mask: nil),
                                                     transforms: [], precondition: .init(exists: false))
            return try APIJSON.response(try await store.commit([write], returning: document).document)
        default:
            throw GoogleAPIError.notFound("No Firestore method \(request.method) on \(name.full).")
        }
    }

    /// Resolves names and field paths of one `:commit` write; 400 naming the offending part.
    private func prepare(_ write: FirestoreWrite, root: String, field: String) throws -> FirestoreStore.PreparedWrite {
        let kinds = [write.update != nil, write.delete != nil, write.transform != nil].filter { $0 }.count
        guard kinds == 1 else { throw GoogleAPIError.invalidArgument("\(field) must have exactly one of update, delete or transform.") }
        let transforms = try (write.updateTransforms ?? write.transform?.fieldTransforms ?? []).enumerated().map { index, transform in
            (path: try fieldPath(transform.fieldPath, field: "\(field).updateTransforms[\(index)].fieldPath"), transform: transform)
        }
        if let update = write.update {
            let document = try DocumentName(full: update.name ?? "", root: root, field: "\(field).update.name")
            let mask = try write.updateMask.map { mask in
                try (mask.fieldPaths ?? []).map { try fieldPath($0, field: "\(field).updateMask.fieldPaths") }
            }
            return .init(document: document, operation: .update(fields: update.fields ?? [:], mask: mask), transforms: transforms, precondition: write.currentDocument)
        }
        if let delete = write.delete {
            let document = try DocumentName(full: delete, root: root, field: "\(field).delete")
            return .init(document: document, operation: .delete, transforms: [], precondition: write.currentDocument)
        }
        let document = try DocumentName(full: write.transform?.document ?? "", root: root, field: "\(field).transform.document")
        return .init(document: document, operation: .transformOnly, transforms: transforms, precondition: write.currentDocument)
    }

    private func fieldPath(_ text: String, field: String) throws -> FieldPath {
        guard let path = FieldPath(text) else { throw GoogleAPIError.invalidArgument("\(field): invalid field path \"\(text)\".") }
        return path
    }

    /// `currentDocument.exists` / `currentDocument.updateTime` from the query string.
    private func precondition(_ query: APIQuery) throws -> FirestorePrecondition? {
        let exists = try query.bool("currentDocument.exists")
        var updateTime: GoogleTimestamp?
        if let text = query["currentDocument.updateTime"] {
            guard let time = GoogleTimestamp(rfc3339: text) else {
                throw GoogleAPIError.invalidArgument("currentDocument.updateTime: \"\(text)\" is not an RFC 3339 timestamp.")
            }
            updateTime = time
        }
        return exists == nil && updateTime == nil ? nil : FirestorePrecondition(exists: exists, updateTime: updateTime)
    }

    /// The custom methods on `…/documents` (served or not) that a path may end with.
    static let verbs: Set<String> = ["commit", "beginTransaction", "rollback", "batchGet", "runQuery", "batchWrite",
                                     "listCollectionIds", "runAggregationQuery", "partitionQuery", "listen", "write"]

    /// A 20-character id like the client libraries generate.
    private static func generatedID() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<20).map { _ in alphabet.randomElement()! })
    }
}
