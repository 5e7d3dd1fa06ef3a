import Foundation
import Testing

/// `:runQuery` as Firestore answers it: every operator, the cross-type order, implicit orders,
/// cursors, offset and limit, projection, collection groups and the 400s for invalid queries.
@Suite("Firestore runQuery")
struct FirestoreQueryTests {
    /// `things/*`: `v` of many types (g has none), `tags` arrays.
    static let things: [(path: String, fields: String)] = [
        ("things/a", #"{"v":{"integerValue":"1"},"tags":{"arrayValue":{"values":[{"stringValue":"a"},{"stringValue":"b"}]}}}"#),
        ("things/b", #"{"v":{"doubleValue":2.5},"tags":{"arrayValue":{"values":[{"stringValue":"c"}]}}}"#),
        ("things/c", #"{"v":{"stringValue":"x"}}"#),
        ("things/d", #"{"v":{"nullValue":null}}"#),
        ("things/e", #"{"v":{"doubleValue":"NaN"}}"#),
        ("things/f", #"{"v":{"integerValue":"3"},"tags":{"arrayValue":{"values":[{"stringValue":"a"}]}}}"#),
        ("things/g", #"{"w":{"integerValue":"1"}}"#),
        ("things/h", #"{"v":{"booleanValue":true}}"#),
        ("things/i", #"{"v":{"doubleValue":1.0}}"#),
    ]

    static func fieldFilter(_ field: String, _ op: String, _ value: String) -> String {
        #"{"from":[{"collectionId":"things"}],"where":{"fieldFilter":{"field":{"fieldPath":"\#(field)"},"op":"\#(op)","value":\#(value)}}}"#
    }

    static func unaryFilter(_ op: String) -> String {
        #"{"from":[{"collectionId":"things"}],"where":{"unaryFilter":{"field":{"fieldPath":"v"},"op":"\#(op)"}}}"#
    }

    /// Each operator with what it selects, in Firestore's order: an inequality orders by its
    /// field first (cross-type: true < NaN < 1 = 1.0 < 2.5 < 3 < "x"), equality by name.
    static let operatorCases: [(query: String, expected: [String])] = [
        (fieldFilter("v", "EQUAL", #"{"integerValue":"1"}"#), ["a", "i"]),
        (fieldFilter("v", "EQUAL", #"{"doubleValue":1.0}"#), ["a", "i"]),
        (fieldFilter("v", "EQUAL", #"{"stringValue":"x"}"#), ["c"]),
        (fieldFilter("v", "EQUAL", #"{"booleanValue":true}"#), ["h"]),
        (fieldFilter("v", "EQUAL", #"{"booleanValue":false}"#), []),
        (fieldFilter("v", "NOT_EQUAL", #"{"integerValue":"1"}"#), ["h", "e", "b", "f", "c"]),
        (fieldFilter("v", "LESS_THAN", #"{"integerValue":"3"}"#), ["e", "a", "i", "b"]),
        (fieldFilter("v", "LESS_THAN_OR_EQUAL", #"{"integerValue":"1"}"#), ["e", "a", "i"]),
        (fieldFilter("v", "GREATER_THAN", #"{"integerValue":"1"}"#), ["b", "f"]),
        (fieldFilter("v", "GREATER_THAN_OR_EQUAL", #"{"doubleValue":1.0}"#), ["a", "i", "b", "f"]),
        (fieldFilter("v", "GREATER_THAN", #"{"stringValue":""}"#), ["c"]),
        (fieldFilter("v", "IN", #"{"arrayValue":{"values":[{"integerValue":"1"},{"stringValue":"x"}]}}"#), ["a", "c", "i"]),
        (fieldFilter("v", "NOT_IN", #"{"arrayValue":{"values":[{"integerValue":"1"},{"stringValue":"x"}]}}"#), ["h", "e", "b", "f"]),
        (fieldFilter("v", "NOT_IN", #"{"arrayValue":{"values":[{"integerValue":"1"},{"nullValue":null}]}}"#), []),
        (fieldFilter("tags", "ARRAY_CONTAINS", #"{"stringValue":"a"}"#), ["a", "f"]),
        (fieldFilter("tags", "ARRAY_CONTAINS_ANY", #"{"arrayValue":{"values":[{"stringValue":"c"},{"stringValue":"b"}]}}"#), ["a", "b"]),
        (fieldFilter("__name__", "GREATER_THAN", #"{"referenceValue":"projects/demo/databases/(default)/documents/things/g"}"#), ["h", "i"]),
        (unaryFilter("IS_NULL"), ["d"]),
        (unaryFilter("IS_NAN"), ["e"]),
        (unaryFilter("IS_NOT_NULL"), ["h", "e", "a", "i", "b", "f", "c"]),
        (unaryFilter("IS_NOT_NAN"), ["h", "a", "i", "b", "f", "c"]),
        // Operators by number, as REST clients send them with `enum-encoding=int` (5 = EQUAL, 3 = IS_NULL).
        (#"{"from":[{"collectionId":"things"}],"where":{"fieldFilter":{"field":{"fieldPath":"v"},"op":5,"value":{"integerValue":"3"}}}}"#, ["f"]),
        (#"{"from":[{"collectionId":"things"}],"where":{"unaryFilter":{"field":{"fieldPath":"v"},"op":3}}}"#, ["d"]),
    ]

    @Test("each field and unary operator selects what Firestore selects, in Firestore's order", arguments: operatorCases)
    func operators(_ testCase: (query: String, expected: [String])) async throws {
        try await TestEmulator.run { emulator in
            try await emulator.seedFirestore(Self.things)
            #expect(try await emulator.queryPaths(testCase.query) == testCase.expected.map { "things/\($0)" })
        }
    }

    @Test("AND and OR composites, nested")
    func composites() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.seedFirestore(Self.things)
            let and = #"""
                {"from":[{"collectionId":"things"}],"where":{"compositeFilter":{"op":"AND","filters":[
                  {"fieldFilter":{"field":{"fieldPath":"v"},"op":"GREATER_THAN_OR_EQUAL","value":{"integerValue":"1"}}},
                  {"fieldFilter":{"field":{"fieldPath":"tags"},"op":"ARRAY_CONTAINS","value":{"stringValue":"a"}}}]}}}
                """#
            #expect(try await emulator.queryPaths(and) == ["things/a", "things/f"])
            let or = #"""
                {"from":[{"collectionId":"things"}],"where":{"compositeFilter":{"op":"OR","filters":[
                  {"fieldFilter":{"field":{"fieldPath":"v"},"op":"EQUAL","value":{"stringValue":"x"}}},
                  {"compositeFilter":{"op":"AND","filters":[
                    {"fieldFilter":{"field":{"fieldPath":"tags"},"op":"ARRAY_CONTAINS","value":{"stringValue":"c"}}},
                    {"unaryFilter":{"field":{"fieldPath":"v"},"op":"IS_NOT_NAN"}}]}}]}}}
                """#
            #expect(try await emulator.queryPaths(or) == ["things/b", "things/c"])
        }
    }

    @Test("orderBy sorts across types (null < bool < numbers < timestamp < string < bytes < reference < geopoint < array < map), drops documents missing the field, and breaks ties by name in the last direction")
    func crossTypeOrder() async throws {
        try await TestEmulator.run { emulator in
            let ref = "\(TestEmulator.firestoreRoot)/things/a"
            try await emulator.seedFirestore([
                ("mixed/01", #"{"v":{"mapValue":{"fields":{"a":{"integerValue":"1"}}}}}"#),
                ("mixed/02", #"{"v":{"arrayValue":{"values":[{"integerValue":"1"}]}}}"#),
                ("mixed/03", #"{"v":{"geoPointValue":{"latitude":1,"longitude":2}}}"#),
                ("mixed/04", #"{"v":{"referenceValue":"\#(ref)"}}"#),
                ("mixed/05", #"{"v":{"bytesValue":"AQI="}}"#),
                ("mixed/06", #"{"v":{"stringValue":"é"}}"#),
                ("mixed/07", #"{"v":{"stringValue":"z"}}"#),
                ("mixed/08", #"{"v":{"timestampValue":"2030-01-01T00:00:00Z"}}"#),
                ("mixed/09", #"{"v":{"integerValue":"9007199254740993"}}"#),
                ("mixed/10", #"{"v":{"doubleValue":9007199254740992}}"#),
                ("mixed/11", #"{"v":{"doubleValue":"-Infinity"}}"#),
                ("mixed/12", #"{"v":{"doubleValue":"NaN"}}"#),
                ("mixed/13", #"{"v":{"booleanValue":false}}"#),
                ("mixed/14", #"{"v":{"nullValue":null}}"#),
                ("mixed/15", #"{"other":{"integerValue":"1"}}"#),
                ("mixed/16", #"{"v":{"integerValue":"1"}}"#),
                ("mixed/17", #"{"v":{"doubleValue":1.0}}"#),
            ])
            // "z" (0x7A) sorts before "é" (0xC3 0xA9) by UTF-8 bytes; 2^53 + 1 (int) after 2^53 (double).
            let ascending = ["14", "13", "12", "11", "16", "17", "10", "09", "08", "07", "06", "05", "04", "03", "02", "01"]
            let byV = #"{"from":[{"collectionId":"mixed"}],"orderBy":[{"field":{"fieldPath":"v"},"direction":"ASCENDING"}]}"#
            #expect(try await emulator.queryPaths(byV) == ascending.map { "mixed/\($0)" })
            let byVDescending = #"{"from":[{"collectionId":"mixed"}],"orderBy":[{"field":{"fieldPath":"v"},"direction":"DESCENDING"}]}"#
            // Ties (16 and 17) break by __name__ in the last order's direction.
            #expect(try await emulator.queryPaths(byVDescending) == ascending.reversed().map { "mixed/\($0)" })
        }
    }

    @Test("several orderBy fields, then __name__; documents missing any order field are left out")
    func multipleOrders() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.seedFirestore([
                ("p/1", #"{"a":{"integerValue":"2"},"b":{"stringValue":"x"}}"#),
                ("p/2", #"{"a":{"integerValue":"1"},"b":{"stringValue":"y"}}"#),
                ("p/3", #"{"a":{"integerValue":"2"},"b":{"stringValue":"w"}}"#),
                ("p/4", #"{"a":{"integerValue":"1"}}"#),
                ("p/5", #"{"a":{"integerValue":"1"},"b":{"stringValue":"y"}}"#),
            ])
            let query = #"{"from":[{"collectionId":"p"}],"orderBy":[{"field":{"fieldPath":"a"},"direction":"DESCENDING"},{"field":{"fieldPath":"b"}}]}"#
            // a DESC, b ASC, then __name__ ASC (the last order's direction) between p/2 and p/5.
            #expect(try await emulator.queryPaths(query) == ["p/3", "p/1", "p/2", "p/5"])
        }
    }

    static let pages: [(path: String, fields: String)] = (1...10).map { n in
        (String(format: "pages/p%02d", n), #"{"n":{"integerValue":"\#((n + 1) / 2)"}}"#)
    }

    @Test("startAt/endAt cursors on order-by values (before or after), prefixes of the order and __name__ cursors")
    func cursors() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.seedFirestore(Self.pages)
            func query(_ extra: String, orderBy: String = #"[{"field":{"fieldPath":"n"}}]"#) -> String {
                #"{"from":[{"collectionId":"pages"}],"orderBy":\#(orderBy)\#(extra)}"#
            }
            func ids(_ numbers: [Int]) -> [String] { numbers.map { String(format: "pages/p%02d", $0) } }
            // n is 1,1,2,2,3,3,4,4,5,5 for p01…p10.
            #expect(try await emulator.queryPaths(query(#","startAt":{"values":[{"integerValue":"3"}],"before":true},"limit":3"#)) == ids([5, 6, 7]))
            #expect(try await emulator.queryPaths(query(#","startAt":{"values":[{"integerValue":"3"}]},"limit":3"#)) == ids([7, 8, 9]))
            #expect(try await emulator.queryPaths(query(#","endAt":{"values":[{"integerValue":"2"}]}"#)) == ids([1, 2, 3, 4]))
            #expect(try await emulator.queryPaths(query(#","endAt":{"values":[{"integerValue":"2"}],"before":true}"#)) == ids([1, 2]))
            let p05 = #"{"referenceValue":"\#(TestEmulator.firestoreRoot)/pages/p05"}"#
            #expect(try await emulator.queryPaths(query(#","startAt":{"values":[{"integerValue":"3"},\#(p05)]},"limit":2"#)) == ids([6, 7]))
            let byName = #"[{"field":{"fieldPath":"__name__"}}]"#
            #expect(try await emulator.queryPaths(query(#","startAt":{"values":[\#(p05)]},"limit":3"#, orderBy: byName)) == ids([6, 7, 8]))
            #expect(try await emulator.queryPaths(query(#","startAt":{"values":[\#(p05)],"before":true},"endAt":{"values":[{"referenceValue":"\#(TestEmulator.firestoreRoot)/pages/p07"}],"before":true}"#, orderBy: byName)) == ids([5, 6]))
            let byNameDescending = #"[{"field":{"fieldPath":"__name__"},"direction":"DESCENDING"}]"#
            #expect(try await emulator.queryPaths(query(#","startAt":{"values":[\#(p05)]},"limit":2"#, orderBy: byNameDescending)) == ids([4, 3]))
            // A cursor on __name__ naming another collection is compared segment by segment.
            let outside = #"{"referenceValue":"\#(TestEmulator.firestoreRoot)/pagez/x"}"#
            #expect(try await emulator.queryPaths(query(#","startAt":{"values":[\#(outside)]}"#, orderBy: byName)) == [])
            #expect(try await emulator.queryPaths(query(#","endAt":{"values":[\#(outside)]},"limit":1"#, orderBy: byName)) == ids([1]))
        }
    }

    @Test("offset skips (skippedResults on the first message), limit bounds, and nothing matching answers [{readTime}]")
    func offsetAndLimit() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.seedFirestore(Self.pages)
            let page = try await emulator.runQuery(#"{"structuredQuery":{"from":[{"collectionId":"pages"}],"offset":2,"limit":3}}"#)
            #expect(page.messages.count == 3)
            #expect(page.messages.first?["skippedResults"] as? Int == 2)
            #expect(page.messages.compactMap { $0.value(at: "document.name") as? String }.map { $0.suffix(3) } == ["p03", "p04", "p05"])
            #expect(page.messages.allSatisfy { $0["readTime"] is String })

            let past = try await emulator.runQuery(#"{"structuredQuery":{"from":[{"collectionId":"pages"}],"offset":20}}"#)
            #expect(past.messages.count == 1)
            #expect(past.messages.first?["skippedResults"] as? Int == 10)
            #expect(past.messages.first?["document"] == nil)

            let none = try await emulator.runQuery(#"{"structuredQuery":{"from":[{"collectionId":"nothing"}]}}"#)
            #expect(none.status == 200)
            #expect(none.messages.count == 1)
            #expect(none.messages.first?.keys.sorted() == ["readTime"])
            #expect(try await emulator.queryPaths(#"{"from":[{"collectionId":"pages"}],"limit":0}"#) == [])
        }
    }

    @Test("select keeps only the named fields; __name__ alone keeps none")
    func projection() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.seedFirestore([("s/1", #"{"a":{"integerValue":"1"},"m":{"mapValue":{"fields":{"x":{"integerValue":"2"},"y":{"integerValue":"3"}}}}}"#)])
            let some = try await emulator.runQuery(#"{"structuredQuery":{"from":[{"collectionId":"s"}],"select":{"fields":[{"fieldPath":"m.x"}]}}}"#)
            #expect(some.messages.first?.value(at: "document.fields.m.mapValue.fields.x.integerValue") as? String == "2")
            #expect(some.messages.first?.value(at: "document.fields.m.mapValue.fields.y") == nil)
            #expect(some.messages.first?.value(at: "document.fields.a") == nil)
            let names = try await emulator.runQuery(#"{"structuredQuery":{"from":[{"collectionId":"s"}],"select":{"fields":[{"fieldPath":"__name__"}]}}}"#)
            #expect(names.messages.first?.value(at: "document.name") as? String == "\(TestEmulator.firestoreRoot)/s/1")
            #expect(names.messages.first?.value(at: "document.fields") == nil)
        }
    }

    @Test("collection-group queries (allDescendants) from the root and from a document, ordered by name segment by segment")
    func collectionGroups() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.seedFirestore([
                ("jobs/a-b/items/1", #"{"n":{"integerValue":"1"}}"#),
                ("jobs/a/items/2", #"{"n":{"integerValue":"2"}}"#),
                ("jobs/a/items/2/items/deep", #"{"n":{"integerValue":"3"}}"#),
                ("jobs/a/notitems/3", #"{"n":{"integerValue":"4"}}"#),
                ("items/top", #"{"n":{"integerValue":"5"}}"#),
                ("other/o/items/4", #"{"n":{"integerValue":"6"}}"#),
            ])
            let group = #"{"from":[{"collectionId":"items","allDescendants":true}]}"#
            #expect(try await emulator.queryPaths(group) == ["items/top", "jobs/a/items/2", "jobs/a/items/2/items/deep", "jobs/a-b/items/1", "other/o/items/4"])
            #expect(try await emulator.queryPaths(group, parent: "jobs/a") == ["jobs/a/items/2", "jobs/a/items/2/items/deep"])
            let filtered = #"{"from":[{"collectionId":"items","allDescendants":true}],"where":{"fieldFilter":{"field":{"fieldPath":"n"},"op":"GREATER_THAN","value":{"integerValue":"1"}}},"orderBy":[{"field":{"fieldPath":"n"},"direction":"DESCENDING"}],"limit":2}"#
            #expect(try await emulator.queryPaths(filtered) == ["other/o/items/4", "items/top"])
            #expect(try await emulator.queryPaths(#"{"from":[{"allDescendants":true}]}"#, parent: "jobs/a") == ["jobs/a/items/2", "jobs/a/items/2/items/deep", "jobs/a/notitems/3"])
            #expect(try await emulator.queryPaths(#"{"from":[{"collectionId":"items"}]}"#, parent: "jobs/a") == ["jobs/a/items/2"])
        }
    }

    static let invalidQueries: [(body: String, member: String)] = [
        (#"{"structuredQuery":{"from":[{"collectionId":"t"}],"where":{"fieldFilter":{"field":{"fieldPath":"v"},"op":"BOGUS","value":{"integerValue":"1"}}}}}"#, "structuredQuery.where.fieldFilter.op"),
        (#"{"structuredQuery":{"from":[{"collectionId":"t"}],"where":{"fieldFilter":{"field":{"fieldPath":"v"},"value":{"integerValue":"1"}}}}}"#, "structuredQuery.where.fieldFilter.op"),
        (#"{"structuredQuery":{"from":[{"collectionId":"t"}],"where":{"fieldFilter":{"field":{"fieldPath":"v"},"op":"IN","value":{"integerValue":"1"}}}}}"#, "structuredQuery.where.fieldFilter.value"),
        (#"{"structuredQuery":{"from":[{"collectionId":"t"}],"where":{"compositeFilter":{"op":"AND","filters":[{"unaryFilter":{"field":{"fieldPath":"v"}}}]}}}}"#, "structuredQuery.where.compositeFilter.filters[0].unaryFilter.op"),
        (#"{"structuredQuery":{"from":[{"collectionId":"t"}],"where":{"fieldFilter":{"field":{"fieldPath":"a..b"},"op":"EQUAL","value":{"integerValue":"1"}}}}}"#, "structuredQuery.where.fieldFilter.field.fieldPath"),
        (#"{"structuredQuery":{"from":[{"collectionId":"t"},{"collectionId":"u"}]}}"#, "structuredQuery.from"),
        (#"{"structuredQuery":{"from":[{"collectionId":"t"}],"startAt":{"values":[{"integerValue":"1"},{"integerValue":"2"}]}}}"#, "structuredQuery.startAt.values"),
        (#"{"structuredQuery":{"from":[{"collectionId":"t"}],"limit":-1}}"#, "structuredQuery.limit"),
        (#"{"structuredQuery":{"from":[{"collectionId":"t"}],"orderBy":[{"direction":"ASCENDING"}]}}"#, "structuredQuery.orderBy[0].field.fieldPath"),
        (#"{}"#, "structuredQuery"),
    ]

    @Test("invalid queries are 400 INVALID_ARGUMENT naming the offending member", arguments: invalidQueries)
    func invalid(_ testCase: (body: String, member: String)) async throws {
        try await TestEmulator.run { emulator in
            let response = try await emulator.runQuery(testCase.body)
            #expect(response.status == 400)
            #expect(response.errorStatus == "INVALID_ARGUMENT")
            #expect(response.errorMessage.contains(testCase.member), "\(response.errorMessage)")
        }
    }

    @Test("what the emulator does not serve (findNearest, explainOptions, readTime) is 501, not ignored")
    func unserved() async throws {
        try await TestEmulator.run { emulator in
            for body in [#"{"structuredQuery":{"from":[{"collectionId":"t"}],"findNearest":{"vectorField":{"fieldPath":"v"}}}}"#,
                         #"{"structuredQuery":{"from":[{"collectionId":"t"}]},"explainOptions":{"analyze":true}}"#,
                         #"{"structuredQuery":{"from":[{"collectionId":"t"}]},"readTime":"2020-01-01T00:00:00Z"}"#] {
                let response = try await emulator.runQuery(body)
                #expect(response.status == 501, "\(body)")
                #expect(response.errorStatus == "UNIMPLEMENTED")
            }
        }
    }

    @Test("a query under a collection (not a document or the root) is 400")
    func collectionParent() async throws {
        try await TestEmulator.run { emulator in
            let response = try await emulator.runQuery(#"{"structuredQuery":{"from":[{"collectionId":"t"}]}}"#, parent: "jobs")
            #expect(response.status == 400)
            #expect(response.errorStatus == "INVALID_ARGUMENT")
        }
    }
}
