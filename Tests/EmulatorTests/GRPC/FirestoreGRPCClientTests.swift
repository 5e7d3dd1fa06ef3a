import Foundation
import GoogleAPIsGRPC
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import SwiftProtobuf
import Testing

/// The Firestore gRPC service through grpc-swift's generated client on the emulator's shared
/// port, against the REST API on the same port: one store, one behaviour.
@Suite("Firestore over gRPC with the generated Swift client", .timeLimit(.minutes(2)))
struct FirestoreGRPCClientTests {
    static let documents = "/v1/projects/demo/databases/(default)/documents"
    static let database = "projects/demo/databases/(default)"
    static let root = database + "/documents"

    /// Runs `body` with a Firestore client connected to the emulator's port in plaintext.
    static func withFirestore<T: Sendable>(_ emulator: TestEmulator,
                                           _ body: (Google_Firestore_V1_Firestore.Client<HTTP2ClientTransport.Posix>) async throws -> T) async throws -> T {
        let port = Int(emulator.baseURL.split(separator: ":").last!)!
        let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
        return try await withGRPCClient(transport: transport) { client in
            try await body(Google_Firestore_V1_Firestore.Client(wrapping: client))
        }
    }

    static let fields = """
        {"fields":{"n":{"integerValue":"9007199254740993"},"d":{"doubleValue":0.25},"inf":{"doubleValue":"-Infinity"},
         "t":{"timestampValue":"2030-01-01T00:00:00.123456Z"},"b":{"bytesValue":"AP8Q"},"nil":{"nullValue":null},
         "yes":{"booleanValue":false},"ref":{"referenceValue":"\(root)/a/b"},"geo":{"geoPointValue":{"latitude":1.5,"longitude":-2}},
         "list":{"arrayValue":{"values":[{"stringValue":"x"},{"mapValue":{}}]}},"map":{"mapValue":{"fields":{"s":{"stringValue":"é/\\""}}}}}}
        """

    @Test("a document written over REST reads the same over gRPC, and one written over gRPC the same over REST")
    func bothTransports() async throws {
        try await TestEmulator.run { emulator in
            let created = try await emulator.send("POST", "\(Self.documents)/items?documentId=rest", json: Self.fields)
            #expect(created.status == 200)
            try await Self.withFirestore(emulator) { firestore in
                var get = Google_Firestore_V1_GetDocumentRequest()
                get.name = "\(Self.root)/items/rest"
                let overGRPC = try await firestore.getDocument(get)
                let overREST = try await emulator.send("GET", "\(Self.documents)/items/rest")
                // The REST answer is the proto3 JSON of the very message gRPC answers with.
                #expect(try Google_Firestore_V1_Document(jsonUTF8Data: overREST.body) == overGRPC)
                #expect(overGRPC.fields["n"]?.integerValue == 9_007_199_254_740_993)
                #expect(overGRPC.fields["b"]?.bytesValue == Data([0, 0xFF, 0x10]))
                #expect(overGRPC.fields["nil"]?.valueType == .nullValue(.nullValue))
                #expect(overGRPC.fields["yes"]?.valueType == .booleanValue(false))

                var create = Google_Firestore_V1_CreateDocumentRequest()
                create.parent = Self.root
                create.collectionID = "items"
                create.documentID = "grpc"
                create.document = overGRPC
                create.document.name = ""
                let written = try await firestore.createDocument(create)
                #expect(written.name == "\(Self.root)/items/grpc")
                #expect(written.fields == overGRPC.fields)
                let readBack = try await emulator.send("GET", "\(Self.documents)/items/grpc")
                #expect(try Google_Firestore_V1_Document(jsonUTF8Data: readBack.body) == written)

                // The second create fails as over REST, with the same code.
                do {
                    _ = try await firestore.createDocument(create)
                    Issue.record("a second create succeeded")
                } catch let error as RPCError {
                    #expect(error.code == .alreadyExists)
                }

                var query = Google_Firestore_V1_RunQueryRequest()
                query.parent = Self.root
                var selector = Google_Firestore_V1_StructuredQuery.CollectionSelector()
                selector.collectionID = "items"
                query.structuredQuery.from = [selector]
                let names = try await firestore.runQuery(query) { response in
                    var names: [String] = []
                    for try await message in response.messages where message.hasDocument { names.append(message.document.name) }
                    return names
                }
                #expect(names == ["\(Self.root)/items/grpc", "\(Self.root)/items/rest"])
            }
        }
    }

    @Test("transactions over gRPC: a stale read-write commit is ABORTED; missing documents are NOT_FOUND; Write is UNIMPLEMENTED")
    func transactionsAndErrors() async throws {
        try await TestEmulator.run { emulator in
            try await Self.withFirestore(emulator) { firestore in
                var write = Google_Firestore_V1_Write()
                write.update.name = "\(Self.root)/counters/c"
                write.update.fields["n"] = .with { $0.integerValue = 0 }
                var commit = Google_Firestore_V1_CommitRequest()
                commit.database = Self.database
                commit.writes = [write]
                _ = try await firestore.commit(commit)

                var begin = Google_Firestore_V1_BeginTransactionRequest()
                begin.database = Self.database
                let first = try await firestore.beginTransaction(begin).transaction
                let second = try await firestore.beginTransaction(begin).transaction
                for transaction in [first, second] {
                    var get = Google_Firestore_V1_GetDocumentRequest()
                    get.name = "\(Self.root)/counters/c"
                    get.transaction = transaction
                    _ = try await firestore.getDocument(get)
                }
                write.update.fields["n"] = .with { $0.integerValue = 1 }
                commit.writes = [write]
                commit.transaction = first
                _ = try await firestore.commit(commit)
                commit.transaction = second
                do {
                    _ = try await firestore.commit(commit)
                    Issue.record("the stale commit applied")
                } catch let error as RPCError {
                    #expect(error.code == .aborted)
                }

                var missing = Google_Firestore_V1_GetDocumentRequest()
                missing.name = "\(Self.root)/counters/none"
                do {
                    _ = try await firestore.getDocument(missing)
                    Issue.record("a missing document was found")
                } catch let error as RPCError {
                    #expect(error.code == .notFound)
                    #expect(error.message.contains("counters/none"))
                }

                do {
                    try await firestore.write(requestProducer: { _ in }) { response in
                        for try await _ in response.messages {}
                    }
                    Issue.record("Write answered")
                } catch let error as RPCError {
                    #expect(error.code == .unimplemented)
                    #expect(error.message.contains("google.firestore.v1.Firestore/Write"))
                }
            }
        }
    }

    @Test("Listen to a query: ADD, the documents, CURRENT, NO_CHANGE; then a REST write arrives as a change and a delete as a remove")
    func listen() async throws {
        try await TestEmulator.run { emulator in
            _ = try await emulator.send("POST", "\(Self.documents)/cities?documentId=a", json: #"{"fields":{"north":{"booleanValue":true}}}"#)
            _ = try await emulator.send("POST", "\(Self.documents)/cities?documentId=b", json: #"{"fields":{"north":{"booleanValue":false}}}"#)
            var target = Google_Firestore_V1_Target()
            target.targetID = 7
            var selector = Google_Firestore_V1_StructuredQuery.CollectionSelector()
            selector.collectionID = "cities"
            var filter = Google_Firestore_V1_StructuredQuery.FieldFilter()
            filter.field.fieldPath = "north"
            filter.op = .equal
            filter.value.booleanValue = true
            var query = Google_Firestore_V1_Target.QueryTarget()
            query.parent = Self.root
            query.structuredQuery.from = [selector]
            query.structuredQuery.where.fieldFilter = filter
            target.query = query
            var request = Google_Firestore_V1_ListenRequest()
            request.database = Self.database
            request.addTarget = target
            let add = request
            let (done, finish) = AsyncStream.makeStream(of: Void.self)
            let seen = try await Self.withFirestore(emulator) { firestore in
                try await firestore.listen(requestProducer: { writer in
                    try await writer.write(add)
                    for await _ in done {}  // keep the stream open until the reader is done
                }) { response in
                    var seen: [String] = []
                    var snapshots = 0
                    for try await message in response.messages {
                        switch message.responseType {
                        case .targetChange(let change):
                            seen.append("\(change.targetChangeType) \(change.targetIds)")
                            guard change.targetChangeType == .noChange, change.targetIds.isEmpty else { continue }
                            snapshots += 1
                            if snapshots == 1 {
                                _ = try await emulator.send("PATCH", "\(Self.documents)/cities/b", json: #"{"fields":{"north":{"booleanValue":true}}}"#)
                            } else if snapshots == 2 {
                                _ = try await emulator.send("DELETE", "\(Self.documents)/cities/a")
                            } else {
                                finish.finish()
                                return seen
                            }
                        case .documentChange(let change):
                            seen.append("change \(change.document.name.split(separator: "/").last!) \(change.targetIds)")
                        case .documentRemove(let remove):
                            seen.append("remove \(remove.document.split(separator: "/").last!) \(remove.removedTargetIds)")
                        default:
                            seen.append("unexpected \(message)")
                        }
                    }
                    return seen
                }
            }
            #expect(seen == ["add [7]", "change a [7]", "current [7]", "noChange []",
                             "change b [7]", "noChange []",
                             "remove a [7]", "noChange []"])
        }
    }
}
