import Foundation

/// Firestore REST v1 (the subset PixelPipe uses): documents get/create/patch/delete, collection
/// listing, structured and aggregation queries, and atomic `:commit` with preconditions and increments.
public struct FirestoreClient: Sendable {
    private let api: GoogleAPIClient
    public let project: String
    public let database: String

    public init(api: GoogleAPIClient, project: String, database: String = "(default)") {
        self.api = api
        self.project = project
        self.database = database
    }

    /// `projects/P/databases/D/documents`.
    public var documentsRoot: String { "projects/\(project)/databases/\(database)/documents" }
    /// Full resource name of a document path such as `jobs/J/items/7`.
    public func documentName(_ path: String) -> String { "\(documentsRoot)/\(path)" }

    private func urlPath(_ path: String) -> String {
        "/v1/" + Self.encodedPath(documentName(path))
    }

    /// Percent-encodes each segment but keeps `(default)` literal, as the client libraries send it.
    static func encodedPath(_ name: String) -> String {
        name.split(separator: "/").map { segment in
            segment.hasPrefix("(") && segment.hasSuffix(")") && segment.dropFirst().dropLast().allSatisfy({ $0.isLetter })
                ? String(segment) : GoogleAPIClient.percentEncoded(String(segment))
        }.joined(separator: "/")
    }

    /// The document, or nil when it does not exist.
    public func document(_ path: String) async throws -> FirestoreDocument? {
        do {
            return try await api.json(.firestore, method: "GET", path: urlPath(path), resource: documentName(path))
        } catch let error as GoogleAPIError where error.isNotFound {
            return nil
        }
    }

    /// Creates `collection/id`; an existing document throws `isAlreadyExists`.
    @discardableResult
    public func create(_ collection: String, id: String, fields: [String: FirestoreValue]) async throws -> FirestoreDocument {
        try await api.json(.firestore, method: "POST", path: urlPath(collection), query: [("documentId", id)], body: FirestoreDocument(fields: fields), resource: documentName("\(collection)/\(id)"))
    }

    /// Writes fields of `path`: all of them, or only `mask` (others keep their values).
    /// `exists` makes the write conditional on the document's existence.
    @discardableResult
    public func patch(_ path: String, fields: [String: FirestoreValue], mask: [String]? = nil, exists: Bool? = nil) async throws -> FirestoreDocument {
        var query: [(String, String)] = (mask ?? []).map { ("updateMask.fieldPaths", $0) }
        if let exists { query.append(("currentDocument.exists", exists ? "true" : "false")) }
        return try await api.json(.firestore, method: "PATCH", path: urlPath(path), query: query, body: FirestoreDocument(fields: fields), resource: documentName(path))
    }

    /// Deletes the document (deleting a missing one succeeds, as in Firestore).
    public func delete(_ path: String) async throws {
        _ = try await api.send(.firestore, method: "DELETE", path: urlPath(path), resource: documentName(path))
    }

    /// One page of a collection.
    public func list(_ collection: String, pageSize: Int = 300, pageToken: String? = nil) async throws -> (documents: [FirestoreDocument], nextPageToken: String?) {
        struct Answer: Decodable { var documents: [FirestoreDocument]?; var nextPageToken: String? }
        var query = [("pageSize", String(pageSize))]
        if let pageToken { query.append(("pageToken", pageToken)) }
        let answer: Answer = try await api.json(.firestore, method: "GET", path: urlPath(collection), query: query, resource: documentName(collection))
        return (answer.documents ?? [], answer.nextPageToken)
    }

    /// Every document of a collection, following page tokens.
    public func listAll(_ collection: String) async throws -> [FirestoreDocument] {
        var documents: [FirestoreDocument] = []
        var token: String?
        repeat {
            let page = try await list(collection, pageToken: token)
            documents += page.documents
            token = page.nextPageToken
        } while token != nil
        return documents
    }

    /// The documents `query` selects under `parent` (a document path such as `jobs/J`, or ""
    /// for the database root), in the query's order. One `:runQuery` call: bound its size with
    /// `limit` and page with cursors.
    public func runQuery(_ query: FirestoreQuery, parent: String = "") async throws -> [FirestoreDocument] {
        let answers: [FirestoreQueryWire.RunQueryResponse] = try await api.json(
            .firestore, method: "POST", path: queryPath(parent, verb: "runQuery"),
            body: FirestoreQueryWire.RunQueryRequest(structuredQuery: query), resource: "query of \(parentName(parent))")
        return answers.compactMap(\.document)
    }

    /// The results of `aggregations` over what `query` selects, keyed by alias.
    public func runAggregationQuery(_ query: FirestoreQuery, aggregations: [FirestoreAggregation], parent: String = "") async throws -> [String: FirestoreValue] {
        let body = FirestoreQueryWire.RunAggregationQueryRequest(
            structuredAggregationQuery: .init(structuredQuery: query, aggregations: aggregations))
        let answers: [FirestoreQueryWire.RunAggregationQueryResponse] = try await api.json(
            .firestore, method: "POST", path: queryPath(parent, verb: "runAggregationQuery"), body: body,
            resource: "aggregation query of \(parentName(parent))")
        return answers.compactMap(\.result?.aggregateFields).first ?? [:]
    }

    private func parentName(_ parent: String) -> String { parent.isEmpty ? documentsRoot : documentName(parent) }

    private func queryPath(_ parent: String, verb: String) -> String {
        "/v1/" + Self.encodedPath(parentName(parent)) + ":" + verb
    }

    /// Applies `writes` atomically; a failed precondition fails them all (`isPreconditionFailed`
    /// or `isAlreadyExists`/`isNotFound`, depending on the precondition).
    public func commit(_ writes: [FirestoreWrite]) async throws -> FirestoreCommitResult {
        let body = CommitBody(writes: writes.map { WireWrite($0, client: self) })
        return try await api.json(.firestore, method: "POST", path: "/v1/" + Self.encodedPath(documentsRoot) + ":commit", body: body, resource: "commit of \(writes.count) writes")
    }

    private struct CommitBody: Encodable { var writes: [WireWrite] }

    /// The wire form of a write.
    private struct WireWrite: Encodable {
        struct Mask: Encodable { var fieldPaths: [String] }
        struct Transform: Encodable { var fieldPath: String; var increment: FirestoreValue }
        struct Precondition: Encodable { var exists: Bool?; var updateTime: String? }

        var update: FirestoreDocument?
        var delete: String?
        var updateMask: Mask?
        var updateTransforms: [Transform]?
        var currentDocument: Precondition?

        init(_ write: FirestoreWrite, client: FirestoreClient) {
            switch write.operation {
            case .update(let path, let fields, let mask):
                update = FirestoreDocument(name: client.documentName(path), fields: fields)
                updateMask = mask.map { Mask(fieldPaths: $0) }
            case .delete(let path):
                delete = client.documentName(path)
            }
            if !write.increments.isEmpty {
                updateTransforms = write.increments.map { Transform(fieldPath: $0.field, increment: $0.by) }
            }
            switch write.precondition {
            case .exists(let exists): currentDocument = Precondition(exists: exists)
            case .updateTime(let time): currentDocument = Precondition(updateTime: time)
            case nil: break
            }
        }
    }
}
