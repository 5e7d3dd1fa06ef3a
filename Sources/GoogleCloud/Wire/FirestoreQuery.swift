/// Firestore's `StructuredQuery` in its REST JSON form, as `:runQuery` and
/// `:runAggregationQuery` take it: the one definition the client writes and the emulator reads.
/// Members are optional as on the wire; `FirestoreQuery.Filter` holds exactly one of its kinds.
public struct FirestoreQuery: Codable, Sendable, Equatable {
    /// `{"fieldPath": "a.b"}`.
    public struct FieldReference: Codable, Sendable, Equatable, ExpressibleByStringLiteral {
        public var fieldPath: String
        public init(_ fieldPath: String) { self.fieldPath = fieldPath }
        public init(stringLiteral value: String) { self.init(value) }
    }

    /// `select`: the fields each result document keeps (`__name__` alone keeps none).
    public struct Projection: Codable, Sendable, Equatable {
        public var fields: [FieldReference]?
        public init(fields: [FieldReference]) { self.fields = fields }
    }

    /// One `from` entry: a collection id, or with `allDescendants` every collection of that id
    /// below the parent (a collection-group query).
    public struct CollectionSelector: Codable, Sendable, Equatable {
        public var collectionId: String?
        public var allDescendants: Bool?
        public init(_ collectionId: String, allDescendants: Bool = false) {
            self.collectionId = collectionId
            self.allDescendants = allDescendants ? true : nil
        }
    }

    /// A filter: exactly one of its members.
    public struct Filter: Codable, Sendable, Equatable {
        public var compositeFilter: CompositeFilter?
        public var fieldFilter: FieldFilter?
        public var unaryFilter: UnaryFilter?

        public init(compositeFilter: CompositeFilter? = nil, fieldFilter: FieldFilter? = nil, unaryFilter: UnaryFilter? = nil) {
            self.compositeFilter = compositeFilter
            self.fieldFilter = fieldFilter
            self.unaryFilter = unaryFilter
        }

        /// `field OP value`.
        public static func field(_ path: String, _ op: FieldFilter.Operator, _ value: FirestoreValue) -> Filter {
            Filter(fieldFilter: FieldFilter(field: FieldReference(path), op: op, value: value))
        }
        /// Every filter holds.
        public static func and(_ filters: [Filter]) -> Filter {
            Filter(compositeFilter: CompositeFilter(op: .and, filters: filters))
        }
        /// At least one filter holds.
        public static func or(_ filters: [Filter]) -> Filter {
            Filter(compositeFilter: CompositeFilter(op: .or, filters: filters))
        }
        /// `field IS_NULL` and the like.
        public static func unary(_ path: String, _ op: UnaryFilter.Operator) -> Filter {
            Filter(unaryFilter: UnaryFilter(op: op, field: FieldReference(path)))
        }
    }

    public struct CompositeFilter: Codable, Sendable, Equatable {
        public enum Operator: String, ProtoJSONEnum {
            case and = "AND", or = "OR"
            /// Numbers of `google.firestore.v1.StructuredQuery.CompositeFilter.Operator`.
            public var protoNumber: Int { self == .and ? 1 : 2 }
        }
        public var op: Operator?
        public var filters: [Filter]?
        public init(op: Operator, filters: [Filter]) {
            self.op = op
            self.filters = filters
        }
    }

    public struct FieldFilter: Codable, Sendable, Equatable {
        public enum Operator: String, ProtoJSONEnum {
            case lessThan = "LESS_THAN", lessThanOrEqual = "LESS_THAN_OR_EQUAL"
            case greaterThan = "GREATER_THAN", greaterThanOrEqual = "GREATER_THAN_OR_EQUAL"
            case equal = "EQUAL", notEqual = "NOT_EQUAL"
            case arrayContains = "ARRAY_CONTAINS", arrayContainsAny = "ARRAY_CONTAINS_ANY"
            case `in` = "IN", notIn = "NOT_IN"
            /// Numbers of `google.firestore.v1.StructuredQuery.FieldFilter.Operator`.
            public var protoNumber: Int {
                switch self {
                case .lessThan: 1
                case .lessThanOrEqual: 2
                case .greaterThan: 3
                case .greaterThanOrEqual: 4
                case .equal: 5
                case .notEqual: 6
                case .arrayContains: 7
                case .in: 8
                case .arrayContainsAny: 9
                case .notIn: 10
                }
            }
        }
        public var field: FieldReference?
        public var op: Operator?
        public var value: FirestoreValue?
        public init(field: FieldReference, op: Operator, value: FirestoreValue) {
            self.field = field
            self.op = op
            self.value = value
        }
    }

    public struct UnaryFilter: Codable, Sendable, Equatable {
        public enum Operator: String, ProtoJSONEnum {
            case isNull = "IS_NULL", isNaN = "IS_NAN", isNotNull = "IS_NOT_NULL", isNotNaN = "IS_NOT_NAN"
            /// Numbers of `google.firestore.v1.StructuredQuery.UnaryFilter.Operator`.
            public var protoNumber: Int {
                switch self {
                case .isNaN: 2
                case .isNull: 3
                case .isNotNaN: 4
                case .isNotNull: 5
                }
            }
        }
        public var op: Operator?
        public var field: FieldReference?
        public init(op: Operator, field: FieldReference) {
            self.op = op
            self.field = field
        }
    }

    public struct Order: Codable, Sendable, Equatable {
        public enum Direction: String, ProtoJSONEnum {
            case ascending = "ASCENDING", descending = "DESCENDING"
            /// Numbers of `google.firestore.v1.StructuredQuery.Direction`.
            public var protoNumber: Int { self == .ascending ? 1 : 2 }
        }
        public var field: FieldReference?
        public var direction: Direction?
        public init(_ path: String, _ direction: Direction = .ascending) {
            field = FieldReference(path)
            self.direction = direction
        }
    }

    /// A position in the query's order: the values of the order-by fields (`__name__` as a
    /// reference value), and whether the position is just before them.
    public struct Cursor: Codable, Sendable, Equatable {
        public var values: [FirestoreValue]?
        public var before: Bool?
        public init(values: [FirestoreValue], before: Bool) {
            self.values = values
            self.before = before
        }
    }

    public var select: Projection?
    public var from: [CollectionSelector]?
    public var `where`: Filter?
    public var orderBy: [Order]?
    public var startAt: Cursor?
    public var endAt: Cursor?
    public var offset: Int?
    public var limit: Int?

    public init(from collection: String, allDescendants: Bool = false, where filter: Filter? = nil, orderBy: [Order] = [],
                select: [String]? = nil, startAt: Cursor? = nil, endAt: Cursor? = nil, offset: Int? = nil, limit: Int? = nil) {
        self.from = [CollectionSelector(collection, allDescendants: allDescendants)]
        self.where = filter
        self.orderBy = orderBy.isEmpty ? nil : orderBy
        self.select = select.map { paths in Projection(fields: paths.map { FieldReference($0) }) }
        self.startAt = startAt
        self.endAt = endAt
        self.offset = offset
        self.limit = limit
    }
}

/// One aggregation of a `:runAggregationQuery`: exactly one of `count`, `sum`, `avg`, and the
/// alias its result is keyed by in `aggregateFields`.
public struct FirestoreAggregation: Codable, Sendable, Equatable {
    public struct Count: Codable, Sendable, Equatable {
        /// Stop counting at this many (Firestore's `upTo`, an int64 as a string or number).
        public var upTo: FlexibleInt64?
        public init(upTo: Int64? = nil) { self.upTo = upTo.map(FlexibleInt64.init) }
    }
    public struct Field: Codable, Sendable, Equatable {
        public var field: FirestoreQuery.FieldReference?
        public init(_ path: String) { field = FirestoreQuery.FieldReference(path) }
    }

    public var alias: String?
    public var count: Count?
    public var sum: Field?
    public var avg: Field?

    public init(alias: String, count: Count? = nil, sum: Field? = nil, avg: Field? = nil) {
        self.alias = alias
        self.count = count
        self.sum = sum
        self.avg = avg
    }

    public static func count(as alias: String, upTo: Int64? = nil) -> FirestoreAggregation { .init(alias: alias, count: Count(upTo: upTo)) }
    public static func sum(_ path: String, as alias: String) -> FirestoreAggregation { .init(alias: alias, sum: Field(path)) }
    public static func avg(_ path: String, as alias: String) -> FirestoreAggregation { .init(alias: alias, avg: Field(path)) }
}

/// The bodies of `:runQuery` and `:runAggregationQuery`, and the elements of their answers
/// (server-streaming methods: over REST, a JSON array of stream messages).
public enum FirestoreQueryWire {
    public struct RunQueryRequest: Codable, Sendable {
        public var structuredQuery: FirestoreQuery?
        /// Read inside this transaction (base64 id from `:beginTransaction`).
        public var transaction: String?
        public init(structuredQuery: FirestoreQuery, transaction: String? = nil) {
            self.structuredQuery = structuredQuery
            self.transaction = transaction
        }
    }

    public struct RunQueryResponse: Codable, Sendable {
        public var document: FirestoreDocument?
        public var readTime: String?
        public var skippedResults: Int?
        public var transaction: String?
        public var done: Bool?
        public init(document: FirestoreDocument? = nil, readTime: String? = nil, skippedResults: Int? = nil, transaction: String? = nil, done: Bool? = nil) {
            self.document = document
            self.readTime = readTime
            self.skippedResults = skippedResults
            self.transaction = transaction
            self.done = done
        }
    }

    public struct StructuredAggregationQuery: Codable, Sendable {
        public var structuredQuery: FirestoreQuery?
        public var aggregations: [FirestoreAggregation]?
        public init(structuredQuery: FirestoreQuery, aggregations: [FirestoreAggregation]) {
            self.structuredQuery = structuredQuery
            self.aggregations = aggregations
        }
    }

    public struct RunAggregationQueryRequest: Codable, Sendable {
        public var structuredAggregationQuery: StructuredAggregationQuery?
        public var transaction: String?
        public init(structuredAggregationQuery: StructuredAggregationQuery, transaction: String? = nil) {
            self.structuredAggregationQuery = structuredAggregationQuery
            self.transaction = transaction
        }
    }

    public struct AggregationResult: Codable, Sendable {
        public var aggregateFields: [String: FirestoreValue]?
        public init(aggregateFields: [String: FirestoreValue]) { self.aggregateFields = aggregateFields }
    }

    public struct RunAggregationQueryResponse: Codable, Sendable {
        public var result: AggregationResult?
        public var readTime: String?
        public var transaction: String?
        public init(result: AggregationResult? = nil, readTime: String? = nil, transaction: String? = nil) {
            self.result = result
            self.readTime = readTime
            self.transaction = transaction
        }
    }
}
