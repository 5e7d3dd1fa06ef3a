/// A Firestore document.
public struct FirestoreDocument: Codable, Sendable, Equatable {
    /// Full resource name, `projects/P/databases/(default)/documents/PATH`.
    public var name: String?
    public var fields: [String: FirestoreValue]?
    public var createTime: String?
    public var updateTime: String?

    public init(name: String? = nil, fields: [String: FirestoreValue]) {
        self.name = name
        self.fields = fields
    }

    /// The fields decoded as `Value`.
    public func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try FirestoreCoding.decode(type, from: fields ?? [:])
    }
}

/// One write of a `:commit`.
public struct FirestoreWrite: Sendable, Equatable {
    /// What the write does to the document.
    public enum Operation: Sendable, Equatable {
        /// Sets fields; with a mask, only the masked fields (an empty mask sets none, for
        /// transform-only writes).
        case update(path: String, fields: [String: FirestoreValue], mask: [String]?)
        case delete(path: String)
    }

    /// A condition the document must meet for the whole commit to apply.
    public enum Precondition: Sendable, Equatable {
        case exists(Bool)
        case updateTime(String)
    }

    public var operation: Operation
    public var precondition: Precondition?
    /// Fields to increment by the given integer or double, applied after the update.
    public var increments: [(field: String, by: FirestoreValue)]

    public init(_ operation: Operation, precondition: Precondition? = nil, increments: [(field: String, by: FirestoreValue)] = []) {
        self.operation = operation
        self.precondition = precondition
        self.increments = increments
    }

    public static func == (lhs: FirestoreWrite, rhs: FirestoreWrite) -> Bool {
        lhs.operation == rhs.operation && lhs.precondition == rhs.precondition
            && lhs.increments.map(\.field) == rhs.increments.map(\.field) && lhs.increments.map(\.by) == rhs.increments.map(\.by)
    }
}

/// What a `:commit` answered.
public struct FirestoreCommitResult: Decodable, Sendable {
    public struct WriteResult: Decodable, Sendable {
        public var updateTime: String?
        /// The values of transformed fields after the commit, in transform order.
        public var transformResults: [FirestoreValue]?
    }
    public var writeResults: [WriteResult]?
    public var commitTime: String?
}
