import Foundation
import GoogleCloud

/// Firestore v1's methods over typed requests (names resolved, bodies decoded), the one
/// implementation the REST routes and the gRPC service both call: the same checks, messages,
/// transactions and store calls on either transport. This file holds the writes and the
/// transactions; the reads are in `FirestoreAPI+Reads.swift`.
struct FirestoreAPI: Sendable {
    let store: FirestoreStore

    /// The open transactions, the store's: one set, whichever transport began them.
    var transactions: FirestoreTransactions { store.transactions }

    /// `CreateDocument`: a new document in `collection` with `documentId` (a generated id when
    /// empty); 409 `ALREADY_EXISTS` when it exists.
    func create(in collection: DocumentName, documentId: String?, fields: [String: FirestoreValue]?, mask: [String]) async throws -> FirestoreDocument {
        guard !collection.path.isEmpty, !collection.isDocument else {
            throw GoogleAPIError.invalidArgument("\(collection.full) is not a collection; documents are created in a collection.")
        }
        let id = documentId.flatMap { $0.isEmpty ? nil : $0 } ?? Self.generatedID()
        let document = try DocumentName(root: collection.root, path: collection.path + [id])
        let write = FirestoreStore.PreparedWrite(document: document, operation: .update(fields: fields ?? [:], mask: nil),
                                                 transforms: [], precondition: .init(exists: false))
        return try Self.masked(try await store.commit([write], returning: document).document, try Self.fieldMask(mask, member: "mask.fieldPaths"), name: document)
    }

    /// `UpdateDocument` (REST PATCH): replaces the fields, or only those of `updateMask` when it
    /// names any; creates the document unless `precondition` says otherwise.
    func update(_ name: DocumentName, fields: [String: FirestoreValue]?, updateMask: [String]?, precondition: FirestorePrecondition?,
                mask: [String]) async throws -> FirestoreDocument {
        try Self.requireDocument(name, member: "name")
        let paths = try (updateMask ?? []).map { try Self.fieldPath($0, member: "updateMask.fieldPaths") }
        let write = FirestoreStore.PreparedWrite(document: name, operation: .update(fields: fields ?? [:], mask: paths.isEmpty ? nil : paths),
                                                 transforms: [], precondition: precondition)
        return try Self.masked(try await store.commit([write], returning: name).document, try Self.fieldMask(mask, member: "mask.fieldPaths"), name: name)
    }

    /// `DeleteDocument`: succeeds for a missing document unless `precondition` requires it.
    func delete(_ name: DocumentName, precondition: FirestorePrecondition?) async throws {
        try Self.requireDocument(name, member: "name")
        _ = try await store.commit([.init(document: name, operation: .delete, transforms: [], precondition: precondition)])
    }

    /// `Commit`: every write applies or none; inside `transaction`, only if nothing it read has
    /// changed since (else 409 `ABORTED`).
    func commit(_ request: FirestoreCommitRequest, root: String) async throws -> FirestoreCommitResponse {
        let writes = try (request.writes ?? []).enumerated().map { index, write in try Self.prepare(write, root: root, field: "writes[\(index)]") }
        var readSet: [String: Int64?] = [:]
        if let id = request.transaction {
            let transaction = try transactions.end(id, member: "transaction")
            guard !transaction.readOnly || writes.isEmpty else {
                throw GoogleAPIError.invalidArgument("transaction: a read-only transaction cannot commit writes.")
            }
            readSet = transaction.reads
        }
        return try await store.commit(writes, readSet: readSet).response
    }

    /// `BatchWrite`: each write applied on its own, not atomically, with its own status; at
    /// most one write per document, as Firestore requires.
    func batchWrite(_ request: FirestoreBatchWriteRequest, root: String) async throws -> FirestoreBatchWriteResponse {
        let writes = try (request.writes ?? []).enumerated().map { index, write in try Self.prepare(write, root: root, field: "writes[\(index)]") }
        var seen = Set<String>()
        for (index, write) in writes.enumerated() where !seen.insert(write.document.full).inserted {
            throw GoogleAPIError.invalidArgument("writes[\(index)]: \(write.document.full) is written more than once; a batch write allows one write per document.")
        }
        var response = FirestoreBatchWriteResponse(writeResults: [], status: [])
        for write in writes {
            do {
                response.writeResults.append(try await store.commit([write]).response.writeResults.first ?? .init())
                response.status.append(.init())
            } catch let error as GoogleAPIError {
                response.writeResults.append(.init())
                response.status.append(.init(error))
            }
        }
        return response
    }

    /// `BeginTransaction`: a read-write transaction unless `options` asks for a read-only one;
    /// returns its id.
    func beginTransaction(_ options: FirestoreTransactionOptions?, member: String = "options") throws -> String {
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

    /// `Rollback`: ends `transaction`; 400 when it is unknown or already ended.
    func rollback(_ transaction: String?) throws {
        guard let transaction, !transaction.isEmpty else { throw GoogleAPIError.invalidArgument("transaction is required.") }
        _ = try transactions.end(transaction, member: "transaction")
    }

    /// Resolves names and field paths of one `Commit` or `BatchWrite` write; 400 naming the
    /// offending part.
    static func prepare(_ write: FirestoreWrite, root: String, field: String) throws -> FirestoreStore.PreparedWrite {
        let kinds = [write.update != nil, write.delete != nil, write.transform != nil].filter { $0 }.count
        guard kinds == 1 else { throw GoogleAPIError.invalidArgument("\(field) must have exactly one of update, delete or transform.") }
        let transforms = try (write.updateTransforms ?? write.transform?.fieldTransforms ?? []).enumerated().map { index, transform in
            (path: try fieldPath(transform.fieldPath, member: "\(field).updateTransforms[\(index)].fieldPath"), transform: transform)
        }
        if let update = write.update {
            let document = try DocumentName(full: update.name ?? "", root: root, field: "\(field).update.name")
            let mask = try write.updateMask.map { mask in
                try (mask.fieldPaths ?? []).map { try fieldPath($0, member: "\(field).updateMask.fieldPaths") }
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

    static func fieldPath(_ text: String, member: String) throws -> FieldPath {
        guard let path = FieldPath(text) else { throw GoogleAPIError.invalidArgument("\(member): invalid field path \"\(text)\".") }
        return path
    }

    /// The paths of a `DocumentMask`; nil (every field) when it names none.
    static func fieldMask(_ paths: [String], member: String) throws -> [FieldPath]? {
        guard !paths.isEmpty else { return nil }
        return try paths.map { try fieldPath($0, member: member) }
    }

    /// The document with only the fields of `mask` (all of them without one). A commit that
    /// returns no document has lost a race with a delete; it reads as not found.
    static func masked(_ document: FirestoreDocument?, _ mask: [FieldPath]?, name: DocumentName) throws -> FirestoreDocument {
        guard let document else { throw GoogleAPIError.notFound("Document \"\(name.full)\" not found.") }
        return masked(document, mask)
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

    static func requireDocument(_ name: DocumentName, member: String) throws {
        guard name.isDocument else { throw GoogleAPIError.invalidArgument("\(member): \"\(name.full)\" does not name a document.") }
    }

    /// Reads at a past `readTime` need old versions, which the emulator does not keep.
    static func refuseReadTime(_ readTime: String?) throws {
        guard let readTime else { return }
        throw GoogleAPIError.unimplemented("readTime \(readTime): reads at a past time are not served by this emulator (it keeps no old versions).")
    }

    /// A 20-character id like the client libraries generate.
    static func generatedID() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<20).map { _ in alphabet.randomElement()! })
    }
}
