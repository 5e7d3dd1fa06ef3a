import Foundation
import GoogleCloud
import Testing

@testable import Emulator

/// Firestore's value order, the comparisons queries filter and sort by.
@Suite("Firestore value order")
struct FirestoreValueOrderTests {
    /// Pairs in strictly ascending order.
    static let ascending: [(FirestoreValue, FirestoreValue)] = [
        (.null, .boolean(false)),
        (.boolean(false), .boolean(true)),
        (.boolean(true), .double(.nan)),
        (.double(.nan), .double(-.infinity)),
        (.double(-.infinity), .integer(.min)),
        (.integer(1), .double(1.5)),
        (.double(1.5), .integer(2)),
        (.double(9_007_199_254_740_992), .integer(9_007_199_254_740_993)),
        (.integer(.max), .double(9.223372036854775807e18)),
        (.double(.infinity), .timestamp("2000-01-01T00:00:00.000000Z")),
        (.timestamp("1999-12-31T23:59:59.999999Z"), .timestamp("2000-01-01T00:00:00.000000Z")),
        (.timestamp("2030-01-01T00:00:00.000000Z"), .string("")),
        (.string("Z"), .string("a")),
        (.string("z"), .string("é")),
        (.string("a"), .string("ab")),
        (.string("\u{FFFF}"), .bytes(Data())),
        (.bytes(Data([1])), .bytes(Data([1, 0]))),
        (.bytes(Data([255])), .reference("projects/p/databases/d/documents/a/1")),
        (.reference("projects/p/databases/d/documents/a/1"), .reference("projects/p/databases/d/documents/a-b/1")),
        (.reference("projects/p/databases/d/documents/a/1"), .reference("projects/p/databases/d/documents/a/1/b/1")),
        (.reference("x"), .geoPoint(latitude: -90, longitude: 0)),
        (.geoPoint(latitude: 1, longitude: 5), .geoPoint(latitude: 2, longitude: 0)),
        (.geoPoint(latitude: 90, longitude: 180), .array([])),
        (.array([.integer(1)]), .array([.integer(1), .null])),
        (.array([.integer(2)]), .array([.string("a")])),
        (.array([.string("z")]), .map([:])),
        (.map(["a": .integer(2)]), .map(["b": .integer(1)])),
        (.map(["a": .integer(1)]), .map(["a": .integer(2)])),
        (.map(["a": .integer(1)]), .map(["a": .integer(1), "b": .null])),
    ]

    @Test("each pair sorts strictly ascending, and reversed descending", arguments: ascending)
    func ascendingPairs(_ pair: (FirestoreValue, FirestoreValue)) {
        #expect(FirestoreValueOrder.compare(pair.0, pair.1) == -1)
        #expect(FirestoreValueOrder.compare(pair.1, pair.0) == 1)
    }

    @Test("ints and doubles of one value are equal, NaN equals NaN, -0 equals 0; precomposed and decomposed é differ")
    func equalities() {
        #expect(FirestoreValueOrder.equal(.integer(1), .double(1.0)))
        #expect(FirestoreValueOrder.equal(.double(.nan), .double(.nan)))
        #expect(FirestoreValueOrder.equal(.double(-0.0), .integer(0)))
        #expect(!FirestoreValueOrder.equal(.string("\u{E9}"), .string("e\u{301}")))
        #expect(!FirestoreValueOrder.equal(.integer(9_007_199_254_740_993), .double(9_007_199_254_740_992)))
    }
}
