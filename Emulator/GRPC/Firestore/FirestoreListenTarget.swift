import Foundation
import GoogleAPIsGRPC
import GoogleCloud
import SwiftProtobuf

/// One target of a `Listen` stream: a query or a set of documents, run by the same query
/// engine as `RunQuery`, and the documents the client was last shown, so that each look sends
/// only what changed since.
struct FirestoreListenTarget: Sendable {
    enum Source: Sendable {
        case query(QueryPlan)
        case documents([DocumentName])
    }

    let id: Int32
    let source: Source
    /// Removed after its first consistent snapshot (`Target.once`).
    let once: Bool
    /// Name → update time of the documents the client holds for this target.
    private var shown: [String: GoogleTimestamp] = [:]

    /// Resolves `target` with the checks `RunQuery` and `GetDocument` make; 400 naming the part.
    init(_ target: Google_Firestore_V1_Target) throws {
        id = target.targetID
        once = target.once
        switch target.targetType {
        case .query(let query)?:
            let parent = try DocumentName(resource: query.parent, field: "addTarget.query.parent")
            source = .query(try FirestoreAPI.queryPlan(body: try query.jsonUTF8Data(), parent: parent))
        case .documents(let documents)?:
            source = .documents(try documents.documents.enumerated().map { index, name in
                let resolved = try DocumentName(resource: name, field: "addTarget.documents.documents[\(index)]")
                try FirestoreAPI.requireDocument(resolved, member: "addTarget.documents.documents[\(index)]")
                return resolved
            })
        case nil:
            throw GoogleAPIError.invalidArgument("addTarget must have a query or documents target.")
        }
    }

    /// The responses that bring the client from what it was shown to the store's state now:
    /// a `DocumentChange` for each new or updated document, a `DocumentRemove` for each gone.
    mutating func changes(in store: FirestoreStore) async throws -> (responses: [Google_Firestore_V1_ListenResponse], readTime: GoogleTimestamp) {
        let documents: [QueryDocument]
        let readTime: GoogleTimestamp
        var projection: [FieldPath]?
        switch source {
        case .query(let plan):
            let result = try await store.runQuery(plan)
            documents = result.documents
            readTime = result.readTime
            projection = plan.projection
        case .documents(let names):
            readTime = GoogleTimestamp.now()
            documents = try await store.documents(names).compactMap { document in
                guard let document, let name = document.name, let createTime = document.createTime, let updateTime = document.updateTime else { return nil }
                return QueryDocument(name: name, fields: document.fields ?? [:], createTime: createTime, updateTime: updateTime)
            }
        }
        var responses: [Google_Firestore_V1_ListenResponse] = []
        var now: [String: GoogleTimestamp] = [:]
        for document in documents {
            now[document.name] = document.updateTime
            guard shown[document.name] != document.updateTime else { continue }
            var change = Google_Firestore_V1_DocumentChange()
            change.document = try ProtoJSON.message(Google_Firestore_V1_Document.self, from: document.resource(projection: projection))
            change.targetIds = [id]
            responses.append(.with { $0.documentChange = change })
        }
        for name in shown.keys.sorted() where now[name] == nil {
            var remove = Google_Firestore_V1_DocumentRemove()
            remove.document = name
            remove.removedTargetIds = [id]
            remove.readTime = Self.timestamp(readTime)
            responses.append(.with { $0.documentRemove = remove })
        }
        shown = now
        return (responses, readTime)
    }

    /// A `TargetChange` of `type` for `targets` (none: the whole stream), at `readTime`.
    static func targetChange(_ type: Google_Firestore_V1_TargetChange.TargetChangeType, _ targets: [Int32],
                             readTime: GoogleTimestamp? = nil) -> Google_Firestore_V1_ListenResponse {
        var change = Google_Firestore_V1_TargetChange()
        change.targetChangeType = type
        change.targetIds = targets
        if let readTime {
            change.readTime = timestamp(readTime)
            // The read time is the resume token: the emulator keeps no history to resume from,
            // so a resumed target is sent whole, but clients want a token with each snapshot.
            withUnsafeBytes(of: readTime.microseconds.bigEndian) { change.resumeToken = Data($0) }
        }
        return .with { $0.targetChange = change }
    }

    static func timestamp(_ time: GoogleTimestamp) -> Google_Protobuf_Timestamp {
        Google_Protobuf_Timestamp(seconds: time.microseconds / 1_000_000, nanos: Int32(time.microseconds % 1_000_000) * 1_000)
    }
}
