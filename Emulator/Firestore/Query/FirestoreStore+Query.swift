import Foundation
import GoogleCloud
import GRDB

/// Queries over the stored documents. SQL narrows the candidates to the query's collection (or
/// collection group) through the `(parent, name)` index; filters, order and cursors are
/// evaluated in Swift with Firestore's semantics. When the order is `__name__` alone over one
/// collection, the rows are read in that order from the index and the scan stops once the page
/// is full, with a `__name__` cursor pushed into SQL: a page of 1,000 deep in a large
/// collection reads only that page.
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
    static func select(_ plan: QueryPlan, in db: Database) throws -> (documents: [QueryDocument], skipped: Int) {
        if plan.limit == 0 { return ([], 0) }
        if let streamed = try streamInNameOrder(plan, in: db) { return streamed }
        var matches: [QueryDocument] = []
        try scan(plan.scope, in: db) { document in
            if plan.hasOrderFields(document), plan.filter?.matches(document) ?? true, plan.isWithinCursors(document) {
                matches.append(document)
            }
            return true
        }
        matches.sort(by: plan.sortsBefore)
        let skipped = min(plan.offset, matches.count)
        var page = matches.dropFirst(skipped)
        if let limit = plan.limit { page = page.prefix(limit) }
        return (Array(page), skipped)
    }

    /// The query read straight from the index in `__name__` order, stopping once the page is
    /// full; nil when the query orders by anything else or spans a collection group.
    private static func streamInNameOrder(_ plan: QueryPlan, in db: Database) throws -> (documents: [QueryDocument], skipped: Int)? {
        guard case .collection(let collection) = plan.scope, plan.orders.count == 1, let order = plan.orders.first, order.path.isDocumentName else {
            return nil
        }
        var sql = "SELECT name, fields, create_time_us, update_time_us FROM firestore_documents WHERE parent = ?"
        var arguments: StatementArguments = [collection]
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
    static func scan(_ scope: QueryPlan.Scope, in db: Database, visit: (QueryDocument) throws -> Bool) throws {
        let columns = "SELECT name, fields, create_time_us, update_time_us FROM firestore_documents"
        let rows: RowCursor
        switch scope {
        case .collection(let collection):
            rows = try Row.fetchCursor(db, sql: "\(columns) WHERE parent = ?", arguments: [collection])
        case .descendants(let parent, nil):
            rows = try Row.fetchCursor(db, sql: "\(columns) WHERE parent >= ? AND parent < ?", arguments: [parent + "/", parent + "0"])
        case .descendants(let parent, let collectionId?):
            // `parent` ends in `/ID`; substr counts characters on both sides, so it compares exactly.
            rows = try Row.fetchCursor(db, sql: "\(columns) WHERE parent >= ? AND parent < ? AND substr(parent, -length(?3)) = ?3",
                                       arguments: [parent + "/", parent + "0", "/" + collectionId])
        }
        while let row = try rows.next() {
            guard try visit(queryDocument(row: row)) else { return }
        }
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
