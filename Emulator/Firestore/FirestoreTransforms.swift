import GoogleCloud
/// Firestore's field transforms, computed as the server does.
enum FirestoreTransforms {
    /// The field's new value after `transform`, given its `current` value.
    static func apply(_ transform: FirestoreFieldTransform, current: FirestoreValue?, requestTime: GoogleTimestamp) throws -> FirestoreValue {
        if let operand = transform.increment {
            return try numeric(operand, current, name: "increment") { current, operand in
                switch (current, operand) {
                case (.integer(let a), .integer(let b)):
                    let (sum, overflow) = a.addingReportingOverflow(b)
                    return .integer(overflow ? (b > 0 ? .max : .min) : sum)
                default:
                    return .double(double(current) + double(operand))
                }
            }
        }
        if let operand = transform.maximum {
            return try numeric(operand, current, name: "maximum") { current, operand in double(operand) > double(current) ? operand : current }
        }
        if let operand = transform.minimum {
            return try numeric(operand, current, name: "minimum") { current, operand in double(operand) < double(current) ? operand : current }
        }
        if let serverValue = transform.setToServerValue {
            guard serverValue == .requestTime else {
                throw GoogleAPIError.invalidArgument("fieldTransforms \(transform.fieldPath): setToServerValue must be REQUEST_TIME.")
            }
            return .timestamp(requestTime.rfc3339)
        }
        if let operand = transform.appendMissingElements {
            var values: [FirestoreValue] = []
            if case .array(let existing)? = current { values = existing }
            for value in operand.values ?? [] where !values.contains(value) { values.append(value) }
            return .array(values)
        }
        if let operand = transform.removeAllFromArray {
            guard case .array(let existing)? = current else { return .array([]) }
            let removed = operand.values ?? []
            return .array(existing.filter { !removed.contains($0) })
        }
        throw GoogleAPIError.invalidArgument("fieldTransforms \(transform.fieldPath): no transform given (increment, maximum, minimum, setToServerValue, appendMissingElements or removeAllFromArray).")
    }

    /// Numeric transforms: a non-numeric current value is replaced by the operand.
    private static func numeric(_ operand: FirestoreValue, _ current: FirestoreValue?, name: String,
                                combine: (FirestoreValue, FirestoreValue) -> FirestoreValue) throws -> FirestoreValue {
        switch operand {
        case .integer, .double: break
        default: throw GoogleAPIError.invalidArgument("The \(name) operand must be an integerValue or doubleValue.")
        }
        switch current {
        case .integer?, .double?: return combine(current!, operand)
        default: return operand
        }
    }

    private static func double(_ value: FirestoreValue) -> Double {
        switch value {
        case .integer(let integer): Double(integer)
        case .double(let double): double
        default: 0
        }
    }
}
