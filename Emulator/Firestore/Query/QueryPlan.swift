import GoogleCloud

/// A `StructuredQuery` checked against Firestore's rules and resolved for running: where the
/// documents come from, the filter, the full order (explicit orders, then inequality fields,
/// then `__name__`), cursors, offset, limit and projection. Building one throws 400
/// `INVALID_ARGUMENT` naming the offending member, e.g. `structuredQuery.where.fieldFilter.op`.
struct QueryPlan: Sendable {
    /// Where candidate documents come from.
    enum Scope: Sendable, Equatable {
        /// The documents of one collection (its full resource name).
        case collection(String)
        /// Every document below `parent` (a document or the database root) in a collection
        /// with id `collectionId`, or in any collection when nil.
        case descendants(parent: String, collectionId: String?)
    }

    /// One sort key.
    struct Order: Sendable {
        var path: FieldPath
        var descending: Bool
    }

    /// A position in the order: a prefix of the order-by values.
    struct Cursor: Sendable {
        var values: [FirestoreValue]
        var before: Bool
    }

    var scope: Scope
    var filter: QueryFilter?
    var orders: [Order]
    var startAt: Cursor?
    var endAt: Cursor?
    var offset: Int
    var limit: Int?
    /// The fields results keep; nil keeps all.
    var projection: [FieldPath]?

    /// Most values an IN or ARRAY_CONTAINS_ANY may list (Firestore's disjunction limit), and NOT_IN.
    static let maxDisjunctionValues = 30
    static let maxNotInValues = 10

    /// Resolves `query` run under `parent` (a document's full name, or the database root).
    /// `member` prefixes error messages (`structuredQuery`).
    init(_ query: FirestoreQuery?, parent: String, member: String = "structuredQuery") throws {
        guard let query else { throw GoogleAPIError.invalidArgument("\(member) is required.") }
        guard let from = query.from, from.count == 1, let selector = from.first else {
            throw GoogleAPIError.invalidArgument("\(member).from must name exactly one collection selector.")
        }
        let collectionId = selector.collectionId ?? ""
        if selector.allDescendants == true {
            if !collectionId.isEmpty { try Self.checkCollectionId(collectionId, member: "\(member).from[0].collectionId") }
            scope = .descendants(parent: parent, collectionId: collectionId.isEmpty ? nil : collectionId)
        } else {
            guard !collectionId.isEmpty else {
                throw GoogleAPIError.invalidArgument("\(member).from[0].collectionId is required unless allDescendants is true.")
            }
            try Self.checkCollectionId(collectionId, member: "\(member).from[0].collectionId")
            scope = .collection(parent + "/" + collectionId)
        }

        filter = try query.where.map { try Self.filter($0, member: "\(member).where") }
        try Self.checkCombinations(filter, member: "\(member).where")

        var orders: [Order] = []
        for (index, order) in (query.orderBy ?? []).enumerated() {
            let path = try Self.fieldPath(order.field, member: "\(member).orderBy[\(index)].field.fieldPath")
            guard !orders.contains(where: { $0.path == path }) else {
                throw GoogleAPIError.invalidArgument("\(member).orderBy[\(index)]: \(path) is ordered by twice.")
            }
            orders.append(Order(path: path, descending: order.direction == .descending))
        }
        // Firestore's implicit order: the inequality fields not ordered yet, by field path,
        // then __name__, each in the direction of the last explicit order.
        let direction = orders.last?.descending ?? false
        let inequalities = Set((filter?.leaves ?? []).compactMap(\.inequalityField)).filter { path in
            !orders.contains { $0.path == path }
        }
        for path in inequalities.sorted(by: { $0.description.utf8.lexicographicallyPrecedes($1.description.utf8) }) where !path.isDocumentName {
            orders.append(Order(path: path, descending: direction))
        }
        if !orders.contains(where: { $0.path.isDocumentName }) {
            orders.append(Order(path: FieldPath.documentName, descending: direction))
        }
        self.orders = orders

        startAt = try query.startAt.map { try Self.cursor($0, orders: orders, parent: parent, member: "\(member).startAt") }
        endAt = try query.endAt.map { try Self.cursor($0, orders: orders, parent: parent, member: "\(member).endAt") }
        guard (query.offset ?? 0) >= 0 else { throw GoogleAPIError.invalidArgument("\(member).offset must not be negative (got \(query.offset!)).") }
        offset = query.offset ?? 0
        if let limit = query.limit, limit < 0 { throw GoogleAPIError.invalidArgument("\(member).limit must not be negative (got \(limit)).") }
        limit = query.limit
        projection = try query.select.map { select in
            try (select.fields ?? []).enumerated().map { index, field in
                try Self.fieldPath(field, member: "\(member).select.fields[\(index)].fieldPath")
            }
        }
    }

    /// Whether `document` lies at or after `startAt` and at or before `endAt`.
    func isWithinCursors(_ document: QueryDocument) -> Bool {
        if let startAt {
            let position = self.position(of: document, relativeTo: startAt)
            if startAt.before ? position < 0 : position <= 0 { return false }
        }
        if let endAt {
            let position = self.position(of: document, relativeTo: endAt)
            if endAt.before ? position >= 0 : position > 0 { return false }
        }
        return true
    }

    /// Whether `document` has every order-by field: Firestore leaves out documents that do not.
    func hasOrderFields(_ document: QueryDocument) -> Bool {
        orders.allSatisfy { $0.path.isDocumentName || $0.path.value(in: document.fields) != nil }
    }

    /// Whether `a` sorts before `b` in the query's order.
    func sortsBefore(_ a: QueryDocument, _ b: QueryDocument) -> Bool {
        for order in orders {
            guard let left = a.value(at: order.path), let right = b.value(at: order.path) else { continue }
            let comparison = FirestoreValueOrder.compare(left, right)
            if comparison != 0 { return order.descending ? comparison > 0 : comparison < 0 }
        }
        return false
    }

    /// The document's position against a cursor's prefix of the order: -1 before, 0 at, 1 after.
    private func position(of document: QueryDocument, relativeTo cursor: Cursor) -> Int {
        for (order, value) in zip(orders, cursor.values) {
            guard let own = document.value(at: order.path) else { return -1 }
            let comparison = FirestoreValueOrder.compare(own, value)
            if comparison != 0 { return order.descending ? -comparison : comparison }
        }
        return 0
    }

    private static func checkCollectionId(_ id: String, member: String) throws {
        guard !id.contains("/"), (try? DocumentName(root: "", path: [id])) != nil else {
            throw GoogleAPIError.invalidArgument("\(member): invalid collection id \"\(id)\".")
        }
    }

    private static func fieldPath(_ reference: FirestoreQuery.FieldReference?, member: String) throws -> FieldPath {
        guard let text = reference?.fieldPath else { throw GoogleAPIError.invalidArgument("\(member) is required.") }
        guard let path = FieldPath(text) else { throw GoogleAPIError.invalidArgument("\(member): invalid field path \"\(text)\".") }
        return path
    }

    private static func filter(_ filter: FirestoreQuery.Filter, member: String) throws -> QueryFilter {
        let kinds = [filter.compositeFilter != nil, filter.fieldFilter != nil, filter.unaryFilter != nil].filter { $0 }.count
        guard kinds == 1 else {
            throw GoogleAPIError.invalidArgument("\(member) must have exactly one of compositeFilter, fieldFilter or unaryFilter.")
        }
        if let composite = filter.compositeFilter {
            guard let op = composite.op else { throw GoogleAPIError.invalidArgument("\(member).compositeFilter.op is required.") }
            guard let filters = composite.filters, !filters.isEmpty else {
                throw GoogleAPIError.invalidArgument("\(member).compositeFilter.filters must not be empty.")
            }
            let resolved = try filters.enumerated().map { index, nested in
                try Self.filter(nested, member: "\(member).compositeFilter.filters[\(index)]")
            }
            return op == .and ? .and(resolved) : .or(resolved)
        }
        if let unary = filter.unaryFilter {
            guard let op = unary.op else { throw GoogleAPIError.invalidArgument("\(member).unaryFilter.op is required.") }
            return .unary(try fieldPath(unary.field, member: "\(member).unaryFilter.field.fieldPath"), op)
        }
        let field = filter.fieldFilter!
        let path = try fieldPath(field.field, member: "\(member).fieldFilter.field.fieldPath")
        guard let op = field.op else { throw GoogleAPIError.invalidArgument("\(member).fieldFilter.op is required.") }
        guard let value = field.value else { throw GoogleAPIError.invalidArgument("\(member).fieldFilter.value is required.") }
        switch op {
        case .in, .notIn, .arrayContainsAny:
            guard case .array(let values) = value, !values.isEmpty else {
                throw GoogleAPIError.invalidArgument("\(member).fieldFilter.value: \(op.rawValue) needs a non-empty arrayValue.")
            }
            let maximum = op == .notIn ? maxNotInValues : maxDisjunctionValues
            guard values.count <= maximum else {
                throw GoogleAPIError.invalidArgument("\(member).fieldFilter.value: \(op.rawValue) takes at most \(maximum) values (got \(values.count)).")
            }
            if path.isDocumentName, let index = values.firstIndex(where: { if case .reference = $0 { false } else { true } }) {
                throw GoogleAPIError.invalidArgument("\(member).fieldFilter.value.arrayValue.values[\(index)]: a filter on __name__ takes referenceValues.")
            }
        default:
            if path.isDocumentName, case .reference = value {} else if path.isDocumentName {
                throw GoogleAPIError.invalidArgument("\(member).fieldFilter.value: a filter on __name__ takes a referenceValue.")
            }
        }
        return .field(path, op, value)
    }

    /// The operator combinations Firestore refuses (see the `FieldFilter.Operator` docs).
    private static func checkCombinations(_ filter: QueryFilter?, member: String) throws {
        guard let filter else { return }
        let ops = filter.leaves.compactMap { leaf -> FirestoreQuery.FieldFilter.Operator? in
            if case .field(_, let op, _) = leaf { return op }
            return nil
        }
        let notEquals = filter.leaves.filter { leaf in
            switch leaf {
            case .field(_, .notEqual, _), .field(_, .notIn, _), .unary(_, .isNotNull), .unary(_, .isNotNaN): true
            default: false
            }
        }.count
        let hasOr = { () -> Bool in
            func visit(_ filter: QueryFilter) -> Bool {
                switch filter {
                case .or: true
                case .and(let filters): filters.contains(where: visit)
                default: false
                }
            }
            return visit(filter)
        }()
        if ops.contains(.notIn) {
            guard !ops.contains(.in), !ops.contains(.arrayContainsAny), !hasOr else {
                throw GoogleAPIError.invalidArgument("\(member): NOT_IN cannot be combined with OR, IN or ARRAY_CONTAINS_ANY.")
            }
        }
        guard notEquals <= 1 else {
            throw GoogleAPIError.invalidArgument("\(member): at most one NOT_EQUAL, NOT_IN, IS_NOT_NULL or IS_NOT_NAN filter per query.")
        }
    }

    private static func cursor(_ cursor: FirestoreQuery.Cursor, orders: [Order], parent: String, member: String) throws -> Cursor {
        let values = cursor.values ?? []
        guard values.count <= orders.count else {
            throw GoogleAPIError.invalidArgument("\(member).values: \(values.count) values for an order of \(orders.count) fields (\(orders.map(\.path.description).joined(separator: ", "))).")
        }
        for (index, (order, value)) in zip(orders, values).enumerated() where order.path.isDocumentName {
            guard case .reference = value else {
                throw GoogleAPIError.invalidArgument("\(member).values[\(index)]: the cursor value for __name__ must be a referenceValue.")
            }
        }
        return Cursor(values: values, before: cursor.before ?? false)
    }
}

extension FieldPath {
    /// The path `__name__`.
    static let documentName = FieldPath("__name__")!
}
