import GoogleCloud

/// A query's `where`, checked and with its field paths parsed; `matches` is Firestore's
/// semantics for each operator.
indirect enum QueryFilter: Sendable {
    case and([QueryFilter])
    case or([QueryFilter])
    case field(FieldPath, FirestoreQuery.FieldFilter.Operator, FirestoreValue)
    case unary(FieldPath, FirestoreQuery.UnaryFilter.Operator)

    /// Whether `document` passes the filter.
    func matches(_ document: QueryDocument) -> Bool {
        switch self {
        case .and(let filters):
            return filters.allSatisfy { $0.matches(document) }
        case .or(let filters):
            return filters.contains { $0.matches(document) }
        case .unary(let path, let op):
            guard let value = document.value(at: path) else { return false }
            switch op {
            case .isNull: return value == .null
            case .isNaN: return FirestoreValueOrder.isNaN(value)
            // IS_NOT_NULL and IS_NOT_NAN are `!= null` and `!= NaN`: the field must hold a value that is not null.
            case .isNotNull: return value != .null
            case .isNotNaN: return value != .null && !FirestoreValueOrder.isNaN(value)
            }
        case .field(let path, let op, let operand):
            guard let value = document.value(at: path) else { return false }
            return Self.matches(value, op, operand)
        }
    }

    private static func matches(_ value: FirestoreValue, _ op: FirestoreQuery.FieldFilter.Operator, _ operand: FirestoreValue) -> Bool {
        switch op {
        case .notEqual:
            return value != .null && !FirestoreValueOrder.equal(value, operand)
        case .arrayContains:
            guard case .array(let elements) = value else { return false }
            return elements.contains { FirestoreValueOrder.equal($0, operand) }
        case .arrayContainsAny:
            guard case .array(let elements) = value, case .array(let wanted) = operand else { return false }
            return elements.contains { element in wanted.contains { FirestoreValueOrder.equal(element, $0) } }
        case .in:
            guard case .array(let wanted) = operand else { return false }
            return wanted.contains { FirestoreValueOrder.equal(value, $0) }
        case .notIn:
            // A null among the values matches nothing, as in Firestore's SDKs.
            guard case .array(let unwanted) = operand, !unwanted.contains(.null) else { return false }
            return value != .null && !unwanted.contains { FirestoreValueOrder.equal(value, $0) }
        case .equal, .lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual:
            // Comparisons only match values of the operand's type (ints and doubles are one type).
            guard FirestoreValueOrder.typeRank(value) == FirestoreValueOrder.typeRank(operand) else { return false }
            let order = FirestoreValueOrder.compare(value, operand)
            switch op {
            case .equal: return order == 0
            case .lessThan: return order < 0
            case .lessThanOrEqual: return order <= 0
            case .greaterThan: return order > 0
            default: return order >= 0
            }
        }
    }

    /// The field a field or unary filter reads; nil for composites.
    var fieldPath: FieldPath? {
        switch self {
        case .field(let path, _, _), .unary(let path, _): path
        default: nil
        }
    }

    /// Every field and unary filter in the tree.
    var leaves: [QueryFilter] {
        switch self {
        case .and(let filters), .or(let filters): filters.flatMap(\.leaves)
        default: [self]
        }
    }

    /// The field an inequality (`<`, `<=`, `>`, `>=`, `!=`, NOT_IN, IS_NOT_NULL, IS_NOT_NAN) filters on, which the
    /// query must order by.
    var inequalityField: FieldPath? {
        switch self {
        case .field(let path, let op, _):
            switch op {
            case .lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual, .notEqual, .notIn: return path
            default: return nil
            }
        case .unary(let path, let op):
            return op == .isNotNull || op == .isNotNaN ? path : nil
        default:
            return nil
        }
    }
}
