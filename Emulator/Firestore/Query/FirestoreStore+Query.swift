import Foundation
import GoogleCloud
import GRDB

/// Queries over the stored documents. SQL narrows the candidates to the query's collection (or
/// collection group) through the `(parent, name)` index; filters, order and cursors are
/// evaluated in Swift with Firestore's semantics. When the order is `__name__` alone over one
/// collection, the rows are read in that order from the index and the scan stops once the page
/// is full, with a `__name__` cursor pushed into SQL: a page of 1,000 deep in a large
/// collection reads only that page. Any other query reads every candidate, but only the fields
/// it filters and orders by (`json_extract`, decoded in one pass), and the whole documents of
/// the page it answers.
extension FirestoreStore {
    /// What a query selected, from one snapshot.
    struct QueryResult: Sendable {
        var documents: [QueryDocument]
        /// Documents the offset skipped.
        var skipped: Int
        var readTime: GoogleTimestamp
    }

    /// Runs `plan` over one consistent snapshot.
    func runQuery(_ plan: QueryPlan) async throws -> QueryResult {
        try await store.read { db in
            let readTime = GoogleTimestamp.now()
            let (documents, skipped) = try Self.select(plan, in: db)
            return QueryResult(documents: documents, skipped: skipped, readTime: readTime)
        }
    }

    /// The documents `plan` selects (after offset and limit) and how many the offset skipped.
    /// With `complete` false, the documents may hold only the fields the query reads and
    /// `alsoReading` (an aggregation's fields), which saves reading whole documents.
    static func select(_ plan: QueryPlan, in db: Database, alsoReading extra: [FieldPath] = [],
                       complete: Bool = true) throws -> (documents: [QueryDocument], skipped: Int) {
        if plan.limit == 0 { return ([], 0) }
        if let streamed = try streamInNameOrder(plan, in: db) { return streamed }
        var matches: [QueryDocument] = []
        let wanted = plan.limit.map { plan.offset + $0 }
        let partial = try forEachMatch(plan, in: db, alsoReading: extra) { document in
            matches.append(document)
            // Only the first offset + limit in order can be answered: trimming to them now and
            // then keeps memory to the page, not the collection (a million items).
            if let wanted, matches.count >= 2 * wanted + 4096 {
                matches.sort(by: plan.sortsBefore)
                matches.removeLast(matches.count - wanted)
            }
        }
        matches.sort(by: plan.sortsBefore)
        let skipped = min(plan.offset, matches.count)
        var page = Array(matches.dropFirst(skipped))
        if let limit = plan.limit { page = Array(page.prefix(limit)) }
        if partial, complete {
            page = try page.compactMap { document in
                try Row.fetchOne(db, sql: "SELECT name, fields, create_time_us, update_time_us FROM firestore_documents WHERE name = ?",
                                 arguments: [document.name]).map(queryDocument(row:))
            }
        }
        return (page, skipped)
    }

    /// Calls `visit`, in no particular order, with every document in the plan's scope that
    /// passes its filter and cursors and has its order fields, before offset and limit. Returns
    /// whether the documents hold only the fields the query reads and `extra`.
    @discardableResult
    static func forEachMatch(_ plan: QueryPlan, in db: Database, alsoReading extra: [FieldPath] = [],
                             visit: (QueryDocument) throws -> Void) throws -> Bool {
        func keep(_ document: QueryDocument) throws {
            guard plan.hasOrderFields(document), plan.filter?.matches(document) ?? true, plan.isWithinCursors(document) else { return }
            try visit(document)
        }
        let paths = Array(Set(plan.orders.map(\.path) + (plan.filter?.leaves ?? []).compactMap(\.fieldPath) + extra).filter { !$0.isDocumentName })
        if try scanFields(paths, in: plan.scope, filter: plan.filter, db: db, visit: keep) { return true }
        try scan(plan.scope, filter: plan.filter, in: db) { document in
            try keep(document)
            return true
        }
        return false
    }

    /// Calls `visit` with every document in `scope` holding only the fields at `paths`; false
    /// (having read nothing) when a path cannot be written as a JSON path. Each path is a
    /// `json_each` over the Value object stored there, which yields its one member: the type
    /// name and its scalar already unescaped by SQLite.
    /// Decoding each document's JSON with `JSONDecoder` instead costs about 25 µs a document
    /// (2.5 s for 100,000); only maps, arrays and geopoints still go through it.
    private static func scanFields(_ paths: [FieldPath], in scope: QueryPlan.Scope, filter: QueryFilter?, db: Database,
                                   visit: (QueryDocument) throws -> Void) throws -> Bool {
        var jsonPaths: [String] = []
        for path in paths {
            guard let jsonPath = jsonPath(path) else { return false }
            jsonPaths.append(jsonPath)
        }
        let (condition, scopeArguments) = scopeCondition(scope, table: "d.", filter: filter)
        let columns = jsonPaths.indices.map { ", j\($0).key, j\($0).value" }.joined()
        let joins = jsonPaths.indices.map { " LEFT JOIN json_each(d.fields, ?) AS j\($0)" }.joined()
        var arguments = StatementArguments(jsonPaths)
        arguments += scopeArguments
        let rows = try Row.fetchCursor(db, sql: "SELECT d.name, d.create_time_us, d.update_time_us\(columns) FROM firestore_documents AS d\(joins) WHERE \(condition)",
                                       arguments: arguments)
        while let row = try rows.next() {
            var fields: [String: FirestoreValue] = [:]
            for (index, path) in paths.enumerated() {
                guard let key = row[3 + 2 * index] as String?, let value = try storedValue(key, row[4 + 2 * index]) else { continue }
                path.set(value, in: &fields)
            }
            try visit(QueryDocument(name: row[0], fields: fields, createTime: GoogleTimestamp(microseconds: row[1]),
                                    updateTime: GoogleTimestamp(microseconds: row[2])))
        }
        return true
    }

    /// A stored Value from its member's name and `json_each`'s value for it.
    private static func storedValue(_ key: String, _ value: DatabaseValue) throws -> FirestoreValue? {
        switch (key, value.storage) {
        case ("nullValue", _): return .null
        case ("booleanValue", .int64(let flag)): return .boolean(flag != 0)
        case ("integerValue", .string(let text)): return Int64(text).map(FirestoreValue.integer)
        case ("integerValue", .int64(let integer)): return .integer(integer)
        case ("doubleValue", .double(let double)): return .double(double)
        case ("doubleValue", .int64(let integer)): return .double(Double(integer))
        case ("doubleValue", .string("NaN")): return .double(.nan)
        case ("doubleValue", .string("Infinity")): return .double(.infinity)
        case ("doubleValue", .string("-Infinity")): return .double(-.infinity)
        case ("stringValue", .string(let text)): return .string(text)
        case ("timestampValue", .string(let text)): return .timestamp(text)
        case ("referenceValue", .string(let text)): return .reference(text)
        case ("bytesValue", .string(let text)): return Data(base64Encoded: text).map(FirestoreValue.bytes)
        case (_, .string(let json)):
            // mapValue, arrayValue, geoPointValue: the member's JSON object.
            return try JSONDecoder().decode(FirestoreValue.self, from: Data("{\"\(key)\":\(json)}".utf8))
        default: return nil
        }
    }

    /// The query read straight from the index in `__name__` order, stopping once the page is
    /// full; nil when the query orders by anything else or spans a collection group.
    private static func streamInNameOrder(_ plan: QueryPlan, in db: Database) throws -> (documents: [QueryDocument], skipped: Int)? {
        guard case .collection(let collection) = plan.scope, plan.orders.count == 1, let order = plan.orders.first, order.path.isDocumentName else {
            return nil
        }
        let (condition, scopeArguments) = scopeCondition(plan.scope, table: "", filter: plan.filter)
        var sql = "SELECT name, fields, create_time_us, update_time_us FROM firestore_documents WHERE \(condition)"
        var arguments = scopeArguments
        // A cursor on a document of this collection becomes a bound on the key; any other
        // reference is left to the Swift check, since SQL compares whole names byte by byte.
        func bound(_ cursor: QueryPlan.Cursor?, isStart: Bool) {
            guard let cursor, case .reference(let name)? = cursor.values.first, name.hasPrefix(collection + "/"),
                  !name.dropFirst(collection.count + 1).contains("/") else { return }
            let inclusive = isStart == cursor.before
            let upward = isStart != order.descending
            sql += " AND name \(upward ? ">" : "<")\(inclusive ? "=" : "") ?"
            arguments += [name]
        }
        bound(plan.startAt, isStart: true)
        bound(plan.endAt, isStart: false)
        sql += " ORDER BY name \(order.descending ? "DESC" : "ASC")"
        if plan.filter == nil, let limit = plan.limit {
            sql += " LIMIT ?"
            arguments += [plan.offset + limit]
        }
        var page: [QueryDocument] = []
        var skipped = 0
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() {
            let document = try queryDocument(row: row)
            guard plan.filter?.matches(document) ?? true, plan.isWithinCursors(document) else { continue }
            if skipped < plan.offset {
                skipped += 1
                continue
            }
            page.append(document)
            if let limit = plan.limit, page.count >= limit { break }
        }
        return (page, skipped)
    }

    /// Calls `visit` with every document in `scope` until it returns false.
    static func scan(_ scope: QueryPlan.Scope, filter: QueryFilter? = nil, in db: Database, visit: (QueryDocument) throws -> Bool) throws {
        let (condition, arguments) = scopeCondition(scope, table: "", filter: filter)
        let rows = try Row.fetchCursor(db, sql: "SELECT name, fields, create_time_us, update_time_us FROM firestore_documents WHERE \(condition)",
                                       arguments: arguments)
        while let row = try rows.next() {
            guard try visit(queryDocument(row: row)) else { return }
        }
    }

    /// The SQL condition selecting the rows of `scope` (columns prefixed with `table`), with its
    /// arguments. The string and boolean equalities `filter` requires of every document are
    /// added too (`json_extract(fields, '$."status".stringValue') = ?`): they select exactly
    /// what Firestore's equality does for those types, so rows that fail them are never decoded.
    private static func scopeCondition(_ scope: QueryPlan.Scope, table: String, filter: QueryFilter?) -> (sql: String, arguments: StatementArguments) {
        let parent = table + "parent"
        var sql: String
        var arguments: StatementArguments
        switch scope {
        case .collection(let collection):
            (sql, arguments) = ("\(parent) = ?", [collection])
        case .descendants(let ancestor, nil):
            (sql, arguments) = ("\(parent) >= ? AND \(parent) < ?", [ancestor + "/", ancestor + "0"])
        case .descendants(let ancestor, let collectionId?):
            // `parent` ends in `/ID`; substr counts characters on both sides, so it compares exactly.
            (sql, arguments) = ("\(parent) >= ? AND \(parent) < ? AND substr(\(parent), -length(?)) = ?",
                                [ancestor + "/", ancestor + "0", "/" + collectionId, "/" + collectionId])
        }
        for required in filter.map(requiredLeaves) ?? [] {
            guard case .field(let path, .equal, let value) = required, !path.isDocumentName, let jsonPath = jsonPath(path) else { continue }
            switch value {
            case .string(let text):
                sql += " AND json_extract(\(table)fields, ?) = ?"
                arguments += [jsonPath + ".stringValue", text]
            case .boolean(let flag):
                sql += " AND json_extract(\(table)fields, ?) = ?"
                arguments += [jsonPath + ".booleanValue", flag ? 1 : 0]
            default:
                continue
            }
        }
        return (sql, arguments)
    }

    /// The filters every selected document must pass: the filter itself, or the members of its ANDs.
    private static func requiredLeaves(_ filter: QueryFilter) -> [QueryFilter] {
        if case .and(let filters) = filter { return filters.flatMap(requiredLeaves) }
        return [filter]
    }

    /// The SQLite JSON path of a field in the stored fields (`$."a".mapValue.fields."b"`); nil
    /// when a segment holds a quote or backslash, which that syntax cannot quote.
    private static func jsonPath(_ path: FieldPath) -> String? {
        guard path.segments.allSatisfy({ !$0.contains("\"") && !$0.contains("\\") }) else { return nil }
        return "$" + path.segments.map { ".\"\($0)\"" }.joined(separator: ".mapValue.fields")
    }

    static func queryDocument(row: Row) throws -> QueryDocument {
        QueryDocument(name: row["name"], fields: try StoredJSON.decode([String: FirestoreValue].self, from: row["fields"]),
                      createTime: GoogleTimestamp(microseconds: row["create_time_us"]),
                      updateTime: GoogleTimestamp(microseconds: row["update_time_us"]))
    }

    /// How many documents `plan` selects (before `upTo`), counted in SQL when nothing but the
    /// collection narrows it; nil when the documents must be read.
    static func countInSQL(_ plan: QueryPlan, in db: Database) throws -> Int? {
        guard case .collection(let collection) = plan.scope, plan.filter == nil, plan.startAt == nil, plan.endAt == nil,
              plan.orders.count == 1 else { return nil }
        let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM firestore_documents WHERE parent = ?", arguments: [collection]) ?? 0
        let afterOffset = max(0, total - plan.offset)
        return plan.limit.map { min($0, afterOffset) } ?? afterOffset
    }
}
