import GoogleCloud

/// A `StructuredAggregationQuery` checked and resolved: the query it runs over and each
/// aggregation with its alias. Results as Firestore documents them: `count` stops at `upTo`;
/// `sum` and `avg` come from an `AggregationAccumulator`.
struct AggregationPlan: Sendable {
    /// One aggregation.
    enum Kind: Sendable {
        case count(upTo: Int64?)
        case sum(FieldPath)
        case avg(FieldPath)
    }

    var query: QueryPlan
    var aggregations: [(alias: String, kind: Kind)]

    /// Most aggregations one request may ask for.
    static let maxAggregations = 5

    init(_ request: FirestoreQueryWire.StructuredAggregationQuery?, parent: String) throws {
        let member = "structuredAggregationQuery"
        guard let request else { throw GoogleAPIError.invalidArgument("\(member) is required.") }
        query = try QueryPlan(request.structuredQuery, parent: parent, member: "\(member).structuredQuery")
        let given = request.aggregations ?? []
        guard !given.isEmpty, given.count <= Self.maxAggregations else {
            throw GoogleAPIError.invalidArgument("\(member).aggregations must have 1 to \(Self.maxAggregations) entries (got \(given.count)).")
        }
        var used = Set(given.compactMap(\.alias).filter { !$0.isEmpty })
        guard used.count == given.compactMap(\.alias).filter({ !$0.isEmpty }).count else {
            throw GoogleAPIError.invalidArgument("\(member).aggregations: aliases must be unique.")
        }
        var nextDefault = 1
        var resolved: [(alias: String, kind: Kind)] = []
        for (index, aggregation) in given.enumerated() {
            let field = "\(member).aggregations[\(index)]"
            let kinds = [aggregation.count != nil, aggregation.sum != nil, aggregation.avg != nil].filter { $0 }.count
            guard kinds == 1 else { throw GoogleAPIError.invalidArgument("\(field) must have exactly one of count, sum or avg.") }
            let kind: Kind
            if let count = aggregation.count {
                if let upTo = count.upTo?.value, upTo <= 0 {
                    throw GoogleAPIError.invalidArgument("\(field).count.upTo must be greater than zero (got \(upTo)).")
                }
                kind = .count(upTo: count.upTo?.value)
            } else if let sum = aggregation.sum {
                kind = .sum(try Self.fieldPath(sum.field, member: "\(field).sum.field.fieldPath"))
            } else {
                kind = .avg(try Self.fieldPath(aggregation.avg?.field, member: "\(field).avg.field.fieldPath"))
            }
            var alias = aggregation.alias ?? ""
            if alias.isEmpty {
                while used.contains("field_\(nextDefault)") { nextDefault += 1 }
                alias = "field_\(nextDefault)"
                used.insert(alias)
            }
            resolved.append((alias, kind))
        }
        aggregations = resolved
    }

    /// The fields the aggregations read.
    var fieldPaths: [FieldPath] {
        aggregations.compactMap { aggregation in
            switch aggregation.kind {
            case .count: nil
            case .sum(let path), .avg(let path): path
            }
        }
    }

    /// Whether only counts are asked for, which SQL can answer without reading documents.
    var countsOnly: Bool {
        aggregations.allSatisfy { if case .count = $0.kind { true } else { false } }
    }

    /// The results keyed by alias from the documents `accumulator` was given, or from `count`
    /// alone when only counts are asked for.
    func results(count: Int, accumulator: AggregationAccumulator?) -> [String: FirestoreValue] {
        var results: [String: FirestoreValue] = [:]
        for (index, (alias, kind)) in aggregations.enumerated() {
            switch kind {
            case .count(let upTo):
                results[alias] = .integer(upTo.map { min(Int64(count), $0) } ?? Int64(count))
            case .sum:
                results[alias] = accumulator?.sum(index) ?? .integer(0)
            case .avg:
                results[alias] = accumulator?.average(index) ?? .null
            }
        }
        return results
    }

    private static func fieldPath(_ reference: FirestoreQuery.FieldReference?, member: String) throws -> FieldPath {
        guard let text = reference?.fieldPath else { throw GoogleAPIError.invalidArgument("\(member) is required.") }
        guard let path = FieldPath(text), !path.isDocumentName else {
            throw GoogleAPIError.invalidArgument("\(member): invalid field path \"\(text)\".")
        }
        return path
    }
}
