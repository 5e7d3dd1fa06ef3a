import GoogleCloud

/// A `StructuredAggregationQuery` checked and resolved: the query it runs over and each
/// aggregation with its alias. Computes the results as Firestore documents them: `count`
/// stops at `upTo`; `sum` adds the numeric values only (an integer unless a double is among
/// them or the sum overflows int64, NaN when a NaN is, 0 when there are none); `avg` is a
/// double, null when there are no numeric values.
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

    /// The results keyed by alias, given the number of selected documents and, unless only
    /// counts are asked for, the documents themselves.
    func results(count: Int, documents: [QueryDocument]) -> [String: FirestoreValue] {
        var results: [String: FirestoreValue] = [:]
        for (alias, kind) in aggregations {
            switch kind {
            case .count(let upTo):
                results[alias] = .integer(upTo.map { min(Int64(count), $0) } ?? Int64(count))
            case .sum(let path):
                results[alias] = Self.sum(documents.compactMap { $0.value(at: path) })
            case .avg(let path):
                results[alias] = Self.average(documents.compactMap { $0.value(at: path) })
            }
        }
        return results
    }

    private static func sum(_ values: [FirestoreValue]) -> FirestoreValue {
        var integerSum: Int64? = 0
        var doubleSum = 0.0
        for value in values {
            switch value {
            case .integer(let integer):
                doubleSum += Double(integer)
                if let sum = integerSum {
                    let (added, overflow) = sum.addingReportingOverflow(integer)
                    integerSum = overflow ? nil : added
                }
            case .double(let double):
                doubleSum += double
                integerSum = nil
            default:
                continue
            }
        }
        return integerSum.map(FirestoreValue.integer) ?? .double(doubleSum)
    }

    private static func average(_ values: [FirestoreValue]) -> FirestoreValue {
        var total = 0.0
        var count = 0
        for value in values {
            switch value {
            case .integer(let integer): total += Double(integer)
            case .double(let double): total += double
            default: continue
            }
            count += 1
        }
        return count == 0 ? .null : .double(total / Double(count))
    }

    private static func fieldPath(_ reference: FirestoreQuery.FieldReference?, member: String) throws -> FieldPath {
        guard let text = reference?.fieldPath else { throw GoogleAPIError.invalidArgument("\(member) is required.") }
        guard let path = FieldPath(text), !path.isDocumentName else {
            throw GoogleAPIError.invalidArgument("\(member): invalid field path \"\(text)\".")
        }
        return path
    }
}
