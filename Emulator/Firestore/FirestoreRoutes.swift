import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird

/// Firestore REST v1: documents (get, list, create, patch, delete), `:commit`, `:batchGet`,
/// `:runQuery`, `:runAggregationQuery`, `:listCollectionIds` and transactions
/// (`:beginTransaction`, `:rollback`, `transaction` on reads and commits) and `:batchWrite`;
/// the methods themselves are `FirestoreAPI`'s, which the gRPC service calls too.
struct FirestoreRoutes: APIRouteGroup {
    let store: FirestoreStore
    let limits: APILimits
    /// The methods themselves, shared with the gRPC service.
    var api: FirestoreAPI { FirestoreAPI(store: store) }

    func register(on router: Router<BasicRequestContext>) {
        registerAllMethods("v1/projects/:project/databases/**", on: router) { request, _ in try await handle(request) }
    }

    private func handle(_ request: Request) async throws -> Response {
        // Document ids may contain colons: only Firestore's own methods count as verbs.
        let path = try request.apiPath(verbs: Self.verbs)
        guard let name = try DocumentName.resolve(Array(path.segments.dropFirst())) else {
            throw GoogleAPIError.notFound("Not found: \(request.uri.path)")
        }
        let root = name.root
        let query = request.apiQuery
        switch (path.verb, request.method, name.path.isEmpty, name.isDocument) {
        case ("commit", .post, true, _):
            let body = try await request.decodeJSON(FirestoreCommitRequest.self, limit: limits.maxRequestBytes)
            return try APIJSON.response(try await api.commit(body, root: root))
        case ("batchWrite", .post, true, _):
            let body = try await request.decodeJSON(FirestoreBatchWriteRequest.self, limit: limits.maxRequestBytes)
            return try APIJSON.response(try await api.batchWrite(body, root: root))
        case ("beginTransaction", .post, true, _):
            let body = try await request.decodeJSON(FirestoreBeginTransactionRequest.self, limit: limits.maxRequestBytes)
            return try APIJSON.response(FirestoreBeginTransactionResponse(transaction: try api.beginTransaction(body.options)))
        case ("rollback", .post, true, _):
            let body = try await request.decodeJSON(FirestoreRollbackRequest.self, limit: limits.maxRequestBytes)
            try api.rollback(body.transaction)
            return APIJSON.emptyResponse()
        case ("batchGet", .post, true, _):
            let body = try await request.decodeJSON(FirestoreBatchGetRequest.self, limit: limits.maxRequestBytes)
            // A server-streaming method: REST answers with a JSON array of stream messages.
            return try APIJSON.response(try await api.batchGet(body, root: root))
        case ("runQuery", .post, _, _):
            return try APIJSON.response(try await api.runQuery(body: try await jsonBody(request), parent: name))
        case ("runAggregationQuery", .post, _, _):
            return try APIJSON.response([try await api.runAggregationQuery(body: try await jsonBody(request), parent: name)])
        case ("listCollectionIds", .post, _, _):
            let body = try await request.decodeJSON(FirestoreListCollectionIdsRequest.self, limit: limits.maxRequestBytes)
            return try APIJSON.response(try await api.listCollectionIds(body, parent: name))
        case (let verb?, _, _, _):
            throw GoogleAPIError.unimplemented("Method :\(verb) on \(name.full) is not served by this emulator.")
        case (nil, .get, false, true):
            return try APIJSON.response(try await api.get(name, mask: query.all("mask.fieldPaths"), consistency: Self.consistency(query)))
        case (nil, .get, false, false):
            return try APIJSON.response(try await api.list(name, pageSize: try query.int("pageSize"), pageToken: query["pageToken"], orderBy: query["orderBy"],
                                                           mask: query.all("mask.fieldPaths"), consistency: Self.consistency(query)))
        case (nil, .patch, false, true):
            let body = try await request.decodeJSON(FirestoreDocument.self, limit: limits.maxRequestBytes)
            return try APIJSON.response(try await api.update(name, fields: body.fields, updateMask: query.all("updateMask.fieldPaths"),
                                                             precondition: try precondition(query), mask: query.all("mask.fieldPaths")))
        case (nil, .delete, false, true):
            try await api.delete(name, precondition: try precondition(query))
            return APIJSON.emptyResponse()
        case (nil, .post, false, false):
            let body = try await request.decodeJSON(FirestoreDocument.self, limit: limits.maxRequestBytes)
            return try APIJSON.response(try await api.create(in: name, documentId: query["documentId"], fields: body.fields, mask: query.all("mask.fieldPaths")))
        default:
            throw GoogleAPIError.notFound("No Firestore method \(request.method) on \(name.full).")
        }
    }

    /// The JSON body, `{}` when empty (the query methods accept an empty body).
    private func jsonBody(_ request: Request) async throws -> Data {
        let data = Data((try await request.collectBody(limit: limits.maxRequestBytes)).readableBytesView)
        return data.isEmpty ? Data("{}".utf8) : data
    }

    /// `transaction` / `readTime` from the query string.
    private static func consistency(_ query: APIQuery) -> FirestoreReadConsistency {
        FirestoreReadConsistency(transaction: query["transaction"], newTransaction: nil, readTime: query["readTime"])
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
}
