import Foundation
import GoogleCloud

/// Firestore's total order over values, which queries filter and sort by: null < booleans <
/// numbers < timestamps < strings < bytes < references < geopoints < arrays < maps. Integers
/// and doubles compare by their numeric value (NaN before every other number, equal to
/// itself); strings and bytes by their UTF-8 bytes; references segment by segment; arrays and
/// maps element by element (maps by their keys in order, then the values).
enum FirestoreValueOrder {
    /// The rank of the value's type; values of different ranks compare by rank alone.
    static func typeRank(_ value: FirestoreValue) -> Int {
        switch value {
        case .null: 0
        case .boolean: 1
        case .integer, .double: 2
        case .timestamp: 3
        case .string: 4
        case .bytes: 5
        case .reference: 6
        case .geoPoint: 7
        case .array: 8
        case .map: 9
        }
    }

    /// -1, 0 or 1 as `lhs` sorts before, with or after `rhs`.
    static func compare(_ lhs: FirestoreValue, _ rhs: FirestoreValue) -> Int {
        let (leftRank, rightRank) = (typeRank(lhs), typeRank(rhs))
        guard leftRank == rightRank else { return leftRank < rightRank ? -1 : 1 }
        switch (lhs, rhs) {
        case (.null, .null):
            return 0
        case (.boolean(let a), .boolean(let b)):
            return a == b ? 0 : (a ? 1 : -1)
        case (.integer(let a), .integer(let b)):
            return sign(a, b)
        case (.double(let a), .double(let b)):
            return compareDoubles(a, b)
        case (.integer(let a), .double(let b)):
            return compareIntegerToDouble(a, b)
        case (.double(let a), .integer(let b)):
            return -compareIntegerToDouble(b, a)
        case (.timestamp(let a), .timestamp(let b)):
            return sign(microseconds(a), microseconds(b))
        case (.string(let a), .string(let b)):
            return compareBytes(a.utf8, b.utf8)
        case (.bytes(let a), .bytes(let b)):
            return compareBytes(a, b)
        case (.reference(let a), .reference(let b)):
            return compareReferences(a, b)
        case (.geoPoint(let latitudeA, let longitudeA), .geoPoint(let latitudeB, let longitudeB)):
            let latitude = compareDoubles(latitudeA, latitudeB)
            return latitude != 0 ? latitude : compareDoubles(longitudeA, longitudeB)
        case (.array(let a), .array(let b)):
            for (left, right) in zip(a, b) {
                let order = compare(left, right)
                if order != 0 { return order }
            }
            return sign(a.count, b.count)
        case (.map(let a), .map(let b)):
            let leftKeys = a.keys.sorted { compareBytes($0.utf8, $1.utf8) < 0 }
            let rightKeys = b.keys.sorted { compareBytes($0.utf8, $1.utf8) < 0 }
            for (left, right) in zip(leftKeys, rightKeys) {
                let keyOrder = compareBytes(left.utf8, right.utf8)
                if keyOrder != 0 { return keyOrder }
                let valueOrder = compare(a[left]!, b[right]!)
                if valueOrder != 0 { return valueOrder }
            }
            return sign(leftKeys.count, rightKeys.count)
        default:
            return 0
        }
    }

    /// Equality as queries see it: `1 == 1.0`, NaN equals NaN, strings byte for byte.
    static func equal(_ lhs: FirestoreValue, _ rhs: FirestoreValue) -> Bool { compare(lhs, rhs) == 0 }

    /// Whether the value is the double NaN.
    static func isNaN(_ value: FirestoreValue) -> Bool {
        if case .double(let double) = value { return double.isNaN }
        return false
    }

    private static func sign<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }

    private static func compareDoubles(_ a: Double, _ b: Double) -> Int {
        switch (a.isNaN, b.isNaN) {
        case (true, true): 0
        case (true, false): -1
        case (false, true): 1
        case (false, false): sign(a, b)
        }
    }

    /// Exact comparison of an int64 with a double (converting either way could round).
    private static func compareIntegerToDouble(_ integer: Int64, _ double: Double) -> Int {
        if double.isNaN { return 1 }
        if double >= 9_223_372_036_854_775_808.0 { return -1 }
        if double < -9_223_372_036_854_775_808.0 { return 1 }
        let whole = double.rounded(.down)
        let wholeInteger = Int64(whole)
        if integer != wholeInteger { return sign(integer, wholeInteger) }
        return double > whole ? -1 : 0
    }

    private static func microseconds(_ text: String) -> Int64 {
        GoogleTimestamp(rfc3339: text)?.microseconds ?? 0
    }

    private static func compareBytes<C: Collection>(_ a: C, _ b: C) -> Int where C.Element == UInt8 {
        var left = a.makeIterator()
        var right = b.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let x?, let y?) where x != y: return x < y ? -1 : 1
            default: continue
            }
        }
    }

    /// Resource names compare segment by segment, so `jobs/a/items/1` sorts before `jobs/a-b/items/1`.
    static func compareReferences(_ a: String, _ b: String) -> Int {
        let left = a.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let right = b.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        for (x, y) in zip(left, right) {
            let order = compareBytes(x, y)
            if order != 0 { return order }
        }
        return sign(left.count, right.count)
    }
}
