import Foundation
import Testing

/// Writing and querying Firestore documents of the in-process emulator in Firestore's REST JSON.
extension TestEmulator {
    static let firestoreRoot = "projects/demo/databases/(default)/documents"
    static let firestorePath = "/v1/projects/demo/databases/(default)/documents"

    /// Writes documents (path below the root → the JSON of their `fields`) in one commit.
    func seedFirestore(_ documents: [(path: String, fields: String)]) async throws {
        let writes = documents.map { #"{"update":{"name":"\#(Self.firestoreRoot)/\#($0.path)","fields":\#($0.fields)}}"# }
        let response = try await send("POST", "\(Self.firestorePath):commit", json: #"{"writes":[\#(writes.joined(separator: ","))]}"#)
        try #require(response.status == 200, "seeding failed: \(response.text)")
    }

    /// `:runQuery` with `body` (the whole request JSON) under `parent` ("" for the root).
    func runQuery(_ body: String, parent: String = "") async throws -> TestResponse {
        try await send("POST", "\(Self.firestorePath)\(parent.isEmpty ? "" : "/" + parent):runQuery", json: body)
    }

    /// The paths (below the root) of the documents `structuredQuery` selects, in answer order.
    func queryPaths(_ structuredQuery: String, parent: String = "") async throws -> [String] {
        let response = try await runQuery(#"{"structuredQuery":\#(structuredQuery)}"#, parent: parent)
        try #require(response.status == 200, "query failed: \(response.text)")
        return response.messages.compactMap { $0.value(at: "document.name") as? String }.map { String($0.dropFirst(Self.firestoreRoot.count + 1)) }
    }
}

extension TestResponse {
    /// The body as a JSON array of objects: the stream messages of a server-streaming method.
    var messages: [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] ?? []
    }
}
