import Foundation
import GoogleCloud

/// A document as the REST API shows it; `name` is the full resource name.
struct FirestoreDocument: Codable, Sendable {
    var name: String?
    var fields: [String: FirestoreValue]?
    var createTime: GoogleTimestamp?
    var updateTime: GoogleTimestamp?
}

/// `currentDocument`: what must hold before a write applies.
struct FirestorePrecondition: Codable, Sendable {
    var exists: Bool?
    var updateTime: GoogleTimestamp?
}

/// One server-side change to a field, applied after the write's update.
struct FirestoreFieldTransform: Codable, Sendable {
    var fieldPath: String
    var increment: FirestoreValue?
    var maximum: FirestoreValue?
    var minimum: FirestoreValue?
    var setToServerValue: ServerValue?
    var appendMissingElements: ArrayOperand?
    var removeAllFromArray: ArrayOperand?

    /// `ServerValue`: only `REQUEST_TIME` exists.
    enum ServerValue: String, ProtoEnum {
        case unspecified = "SERVER_VALUE_UNSPECIFIED", requestTime = "REQUEST_TIME"
        var number: Int { self == .unspecified ? 0 : 1 }
    }

    /// The `ArrayValue` operand of the array transforms.
    struct ArrayOperand: Codable, Sendable {
        var values: [FirestoreValue]?
    }
}

/// The legacy transform-only write (`transform.document` + `fieldTransforms`).
struct FirestoreDocumentTransform: Codable, Sendable {
    var document: String
    var fieldTransforms: [FirestoreFieldTransform]?
}

/// `DocumentMask`.
struct FirestoreDocumentMask: Codable, Sendable {
    var fieldPaths: [String]?
}

/// One entry of `:commit`'s `writes`.
struct FirestoreWrite: Codable, Sendable {
    var update: FirestoreDocument?
    var delete: String?
    var transform: FirestoreDocumentTransform?
    var updateMask: FirestoreDocumentMask?
    var updateTransforms: [FirestoreFieldTransform]?
    var currentDocument: FirestorePrecondition?
}

/// `POST …/documents:commit` body.
struct FirestoreCommitRequest: Decodable, Sendable {
    var writes: [FirestoreWrite]?
    var transaction: String?
}

/// The result of one write.
struct FirestoreWriteResult: Encodable, Sendable {
    var updateTime: GoogleTimestamp?
    var transformResults: [FirestoreValue]?
}

/// `:commit` response.
struct FirestoreCommitResponse: Encodable, Sendable {
    var writeResults: [FirestoreWriteResult]
    var commitTime: GoogleTimestamp
}

/// `GET …/documents/COLLECTION` response.
struct FirestoreListResponse: Encodable, Sendable {
    var documents: [FirestoreDocument]?
    var nextPageToken: String?
}

/// `:beginTransaction` response.
struct FirestoreBeginTransactionResponse: Encodable, Sendable {
    var transaction: String
}

/// `POST …/documents:batchGet` body.
struct FirestoreBatchGetRequest: Decodable, Sendable {
    var documents: [String]?
    var mask: FirestoreDocumentMask?
    var transaction: String?
    var newTransaction: FirestoreTransactionOptions?
    var readTime: String?
}

/// `TransactionOptions`: read-only (optionally at a past time) or read-write.
struct FirestoreTransactionOptions: Decodable, Sendable {
    struct ReadOnly: Decodable, Sendable { var readTime: String? }
    struct ReadWrite: Decodable, Sendable { var retryTransaction: String? }
    var readOnly: ReadOnly?
    var readWrite: ReadWrite?
}

/// `POST …/documents:beginTransaction` body.
struct FirestoreBeginTransactionRequest: Decodable, Sendable {
    var options: FirestoreTransactionOptions?
}

/// `POST …/documents:rollback` body.
struct FirestoreRollbackRequest: Decodable, Sendable {
    var transaction: String?
}

/// `POST …/documents[/DOC]:listCollectionIds` body.
struct FirestoreListCollectionIdsRequest: Decodable, Sendable {
    var pageSize: Int?
    var pageToken: String?
    var readTime: String?
}

/// `:listCollectionIds` response.
struct FirestoreListCollectionIdsResponse: Encodable, Sendable {
    var collectionIds: [String]
    var nextPageToken: String?
}

/// One message of `:batchGet`'s response stream.
struct FirestoreBatchGetResponse: Encodable, Sendable {
    var found: FirestoreDocument?
    var missing: String?
    /// The id of the transaction `newTransaction` began, in the first message only.
    var transaction: String?
    var readTime: GoogleTimestamp
}

/// The consistency selector of a read (`transaction`, `newTransaction` or `readTime`), read
/// from the body of `:runQuery` and `:runAggregationQuery` next to the shared query types.
struct FirestoreReadConsistency: Decodable, Sendable {
    var transaction: String?
    var newTransaction: FirestoreTransactionOptions?
    var readTime: String?
}

/// Members of a query request that the emulator does not serve, looked for so that a request
/// using them is refused (501) instead of answered as if they were absent.
struct FirestoreUnservedQueryMembers: Decodable, Sendable {
    struct Query: Decodable, Sendable { var findNearest: JSONValue? }
    struct Aggregation: Decodable, Sendable { var structuredQuery: Query? }
    var structuredQuery: Query?
    var structuredAggregationQuery: Aggregation?
    var explainOptions: JSONValue?

    /// 501 naming the first unserved member present.
    func refuse() throws {
        if structuredQuery?.findNearest != nil || structuredAggregationQuery?.structuredQuery?.findNearest != nil {
            throw GoogleAPIError.unimplemented("structuredQuery.findNearest: vector search is not served by this emulator.")
        }
        if explainOptions != nil {
            throw GoogleAPIError.unimplemented("explainOptions: query explain is not served by this emulator.")
        }
    }
}

/// `POST …/documents:batchWrite` body.
struct FirestoreBatchWriteRequest: Decodable, Sendable {
    var writes: [FirestoreWrite]?
}

/// `:batchWrite` response: for each write, its result (`{}` when it failed) and its status.
struct FirestoreBatchWriteResponse: Encodable, Sendable {
    var writeResults: [FirestoreWriteResult]
    var status: [FirestoreStatus]
}

/// A `google.rpc.Status`: `{}` for OK, else the canonical code's number and the message.
struct FirestoreStatus: Encodable, Sendable {
    var code: Int?
    var message: String?

    init() {}

    init(_ error: GoogleAPIError) {
        code = Self.number(error.code)
        message = error.message
    }

    /// The number of the code in `google.rpc.Code`.
    private static func number(_ code: GoogleStatusCode) -> Int {
        switch code {
        case .cancelled: 1
        case .unknown: 2
        case .invalidArgument: 3
        case .deadlineExceeded: 4
        case .notFound: 5
        case .alreadyExists: 6
        case .permissionDenied: 7
        case .resourceExhausted: 8
        case .failedPrecondition: 9
        case .aborted: 10
        case .outOfRange: 11
        case .unimplemented: 12
        case .internal: 13
        case .unavailable: 14
        case .unauthenticated: 16
        }
    }
}
