import Foundation
import GoogleAPIsGRPC
import GoogleCloud
import GRPCCore
import SwiftProtobuf

/// `google.firestore.v1.Firestore` over gRPC: each method decodes its request into the REST
/// types through the proto3 JSON mapping (which the REST API is), calls the same
/// `FirestoreAPI` method the REST route calls, and encodes the answer back the same way.
/// `Listen` is in `FirestoreService+Listen.swift`. `Write` and `ExecutePipeline` answer
/// `UNIMPLEMENTED`, as `PartitionQuery` does on both transports.
struct FirestoreService: Google_Firestore_V1_Firestore.SimpleServiceProtocol {
    let api: FirestoreAPI
    var store: FirestoreStore { api.store }

    init(store: FirestoreStore) {
        api = FirestoreAPI(store: store)
    }

    func getDocument(request: Google_Firestore_V1_GetDocumentRequest, context: ServerContext) async throws -> Google_Firestore_V1_Document {
        try await rpc {
            let name = try DocumentName(resource: request.name, field: "name")
            let document = try await api.get(name, mask: request.mask.fieldPaths, consistency: try ProtoJSON.decode(FirestoreReadConsistency.self, from: request))
            return try ProtoJSON.message(Google_Firestore_V1_Document.self, from: document)
        }
    }

    func listDocuments(request: Google_Firestore_V1_ListDocumentsRequest, context: ServerContext) async throws -> Google_Firestore_V1_ListDocumentsResponse {
        try await rpc {
            let collection = try Self.collection(parent: request.parent, collectionId: request.collectionID)
            let page = try await api.list(collection, pageSize: Int(request.pageSize), pageToken: request.pageToken, orderBy: request.orderBy,
                                          mask: request.mask.fieldPaths, consistency: try ProtoJSON.decode(FirestoreReadConsistency.self, from: request))
            return try ProtoJSON.message(Google_Firestore_V1_ListDocumentsResponse.self, from: page)
        }
    }

    func createDocument(request: Google_Firestore_V1_CreateDocumentRequest, context: ServerContext) async throws -> Google_Firestore_V1_Document {
        try await rpc {
            let collection = try Self.collection(parent: request.parent, collectionId: request.collectionID)
            let body = try ProtoJSON.decode(FirestoreDocument.self, from: request.document)
            let document = try await api.create(in: collection, documentId: request.documentID, fields: body.fields, mask: request.mask.fieldPaths)
            return try ProtoJSON.message(Google_Firestore_V1_Document.self, from: document)
        }
    }

    func updateDocument(request: Google_Firestore_V1_UpdateDocumentRequest, context: ServerContext) async throws -> Google_Firestore_V1_Document {
        try await rpc {
            let name = try DocumentName(resource: request.document.name, field: "document.name")
            let body = try ProtoJSON.decode(FirestoreDocument.self, from: request.document)
            let document = try await api.update(name, fields: body.fields, updateMask: request.hasUpdateMask ? request.updateMask.fieldPaths : nil,
                                                precondition: try Self.precondition(request.hasCurrentDocument ? request.currentDocument : nil),
                                                mask: request.mask.fieldPaths)
            return try ProtoJSON.message(Google_Firestore_V1_Document.self, from: document)
        }
    }

    func deleteDocument(request: Google_Firestore_V1_DeleteDocumentRequest, context: ServerContext) async throws -> Google_Protobuf_Empty {
        try await rpc {
            let name = try DocumentName(resource: request.name, field: "name")
            try await api.delete(name, precondition: try Self.precondition(request.hasCurrentDocument ? request.currentDocument : nil))
            return Google_Protobuf_Empty()
        }
    }

    func batchGetDocuments(request: Google_Firestore_V1_BatchGetDocumentsRequest, response: RPCWriter<Google_Firestore_V1_BatchGetDocumentsResponse>,
                           context: ServerContext) async throws {
        try await rpc {
            let root = try DocumentName.root(database: request.database, field: "database")
            let messages = try await api.batchGet(try ProtoJSON.decode(FirestoreBatchGetRequest.self, from: request), root: root)
            try await response.write(contentsOf: try messages.map { try ProtoJSON.message(Google_Firestore_V1_BatchGetDocumentsResponse.self, from: $0) })
        }
    }

    func beginTransaction(request: Google_Firestore_V1_BeginTransactionRequest, context: ServerContext) async throws -> Google_Firestore_V1_BeginTransactionResponse {
        try await rpc {
            _ = try DocumentName.root(database: request.database, field: "database")
            let options = request.hasOptions ? try ProtoJSON.decode(FirestoreTransactionOptions.self, from: request.options) : nil
            let id = try api.beginTransaction(options)
            return try ProtoJSON.message(Google_Firestore_V1_BeginTransactionResponse.self, from: FirestoreBeginTransactionResponse(transaction: id))
        }
    }

    func commit(request: Google_Firestore_V1_CommitRequest, context: ServerContext) async throws -> Google_Firestore_V1_CommitResponse {
        try await rpc {
            let root = try DocumentName.root(database: request.database, field: "database")
            let result = try await api.commit(try ProtoJSON.decode(FirestoreCommitRequest.self, from: request), root: root)
            return try ProtoJSON.message(Google_Firestore_V1_CommitResponse.self, from: result)
        }
    }

    func rollback(request: Google_Firestore_V1_RollbackRequest, context: ServerContext) async throws -> Google_Protobuf_Empty {
        try await rpc {
            _ = try DocumentName.root(database: request.database, field: "database")
            try api.rollback(try ProtoJSON.decode(FirestoreRollbackRequest.self, from: request).transaction)
            return Google_Protobuf_Empty()
        }
    }

    func runQuery(request: Google_Firestore_V1_RunQueryRequest, response: RPCWriter<Google_Firestore_V1_RunQueryResponse>,
                  context: ServerContext) async throws {
        try await rpc {
            let parent = try DocumentName(resource: request.parent, field: "parent")
            let messages = try await api.runQuery(body: try request.jsonUTF8Data(), parent: parent)
            try await response.write(contentsOf: try messages.map { try ProtoJSON.message(Google_Firestore_V1_RunQueryResponse.self, from: $0) })
        }
    }

    func runAggregationQuery(request: Google_Firestore_V1_RunAggregationQueryRequest, response: RPCWriter<Google_Firestore_V1_RunAggregationQueryResponse>,
                             context: ServerContext) async throws {
        try await rpc {
            let parent = try DocumentName(resource: request.parent, field: "parent")
            let message = try await api.runAggregationQuery(body: try request.jsonUTF8Data(), parent: parent)
            try await response.write(try ProtoJSON.message(Google_Firestore_V1_RunAggregationQueryResponse.self, from: message))
        }
    }

    func listCollectionIds(request: Google_Firestore_V1_ListCollectionIdsRequest, context: ServerContext) async throws -> Google_Firestore_V1_ListCollectionIdsResponse {
        try await rpc {
            let parent = try DocumentName(resource: request.parent, field: "parent")
            let page = try await api.listCollectionIds(try ProtoJSON.decode(FirestoreListCollectionIdsRequest.self, from: request), parent: parent)
            return try ProtoJSON.message(Google_Firestore_V1_ListCollectionIdsResponse.self, from: page)
        }
    }

    func batchWrite(request: Google_Firestore_V1_BatchWriteRequest, context: ServerContext) async throws -> Google_Firestore_V1_BatchWriteResponse {
        try await rpc {
            let root = try DocumentName.root(database: request.database, field: "database")
            let result = try await api.batchWrite(try ProtoJSON.decode(FirestoreBatchWriteRequest.self, from: request), root: root)
            return try ProtoJSON.message(Google_Firestore_V1_BatchWriteResponse.self, from: result)
        }
    }

    func partitionQuery(request: Google_Firestore_V1_PartitionQueryRequest, context: ServerContext) async throws -> Google_Firestore_V1_PartitionQueryResponse {
        throw RPCError.unimplemented(Google_Firestore_V1_Firestore.Method.PartitionQuery.descriptor)
    }

    func executePipeline(request: Google_Firestore_V1_ExecutePipelineRequest, response: RPCWriter<Google_Firestore_V1_ExecutePipelineResponse>,
                         context: ServerContext) async throws {
        throw RPCError.unimplemented(Google_Firestore_V1_Firestore.Method.ExecutePipeline.descriptor)
    }

    func write(request: RPCAsyncSequence<Google_Firestore_V1_WriteRequest, any Error>, response: RPCWriter<Google_Firestore_V1_WriteResponse>,
               context: ServerContext) async throws {
        throw RPCError.unimplemented(Google_Firestore_V1_Firestore.Method.Write.descriptor)
    }

    /// The collection `collectionId` below `parent` (a document or the database root).
    private static func collection(parent: String, collectionId: String) throws -> DocumentName {
        let parentName = try DocumentName(resource: parent, field: "parent")
        guard parentName.path.isEmpty || parentName.isDocument else {
            throw GoogleAPIError.invalidArgument("parent: \"\(parent)\" is a collection; give its parent document and collectionId.")
        }
        guard !collectionId.isEmpty else { throw GoogleAPIError.invalidArgument("collectionId is required.") }
        return try DocumentName(root: parentName.root, path: parentName.path + [collectionId])
    }

    private static func precondition(_ message: Google_Firestore_V1_Precondition?) throws -> FirestorePrecondition? {
        try message.map { try ProtoJSON.decode(FirestorePrecondition.self, from: $0) }
    }
}
