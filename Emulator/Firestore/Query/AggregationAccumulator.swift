import GoogleCloud

/// The running sums of an aggregation query's `sum` and `avg` fields, fed one document at a
/// time so a million documents need no more memory than one. As Firestore documents them:
/// only numeric values count; a sum is an integer while every value is one and it does not
/// overflow int64, else a double (NaN when a NaN is among them), 0 over nothing; an average
/// is a double, null over nothing.
struct AggregationAccumulator: Sendable {
    private struct Running: Sendable {
        var integerSum: Int64? = 0
        var doubleSum = 0.0
        var count = 0
    }

    /// The field each aggregation reads, by the aggregation's index; nil for counts.
    private let paths: [FieldPath?]
    private var running: [Running]

    init(_ plan: AggregationPlan) {
        paths = plan.aggregations.map { aggregation in
            switch aggregation.kind {
            case .count: nil
            case .sum(let path), .avg(let path): path
            }
        }
        running = Array(repeating: Running(), count: paths.count)
    }

    /// Adds a selected document's values.
    mutating func add(_ document: QueryDocument) {
        for (index, path) in paths.enumerated() {
            guard let path else { continue }
            switch document.value(at: path) {
            case .integer(let integer)?:
                running[index].doubleSum += Double(integer)
                if let sum = running[index].integerSum {
                    let (added, overflow) = sum.addingReportingOverflow(integer)
                    running[index].integerSum = overflow ? nil : added
                }
            case .double(let double)?:
                running[index].doubleSum += double
                running[index].integerSum = nil
            default:
                continue
            }
            running[index].count += 1
        }
    }

    /// The sum of aggregation `index`'s field.
    func sum(_ index: Int) -> FirestoreValue {
        running[index].integerSum.map(FirestoreValue.integer) ?? .double(running[index].doubleSum)
    }

    /// The average of aggregation `index`'s field.
    func average(_ index: Int) -> FirestoreValue {
        running[index].count == 0 ? .null : .double(running[index].doubleSum / Double(running[index].count))
    }
}
