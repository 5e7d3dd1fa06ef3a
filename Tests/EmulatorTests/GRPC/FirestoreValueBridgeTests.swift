import Foundation
import GoogleAPIsGRPC
import GoogleCloud
import SwiftProtobuf
import Testing

@testable import Emulator

/// The gRPC service converts documents between `google.firestore.v1.Value` and the REST
/// `FirestoreValue` through the proto3 JSON mapping: each kind must cross both ways unchanged.
@Suite("Firestore values between proto and REST JSON")
struct FirestoreValueBridgeTests {
    typealias Proto = Google_Firestore_V1_Value

    static func proto(_ kind: Proto.OneOf_ValueType) -> Proto {
        var value = Proto()
        value.valueType = kind
        return value
    }

    static func array(_ values: [Proto]) -> Proto {
        var array = Google_Firestore_V1_ArrayValue()
        array.values = values
        return proto(.arrayValue(array))
    }

    static func map(_ fields: [String: Proto]) -> Proto {
        var map = Google_Firestore_V1_MapValue()
        map.fields = fields
        return proto(.mapValue(map))
    }

    static let geo: Google_Type_LatLng = {
        var point = Google_Type_LatLng()
        point.latitude = 52.52
        point.longitude = -13.4
        return point
    }()

    /// Each kind as the REST type holds it and as the message holds it.
    static let cases: [(label: String, rest: FirestoreValue, proto: Proto)] = [
        ("null", .null, proto(.nullValue(.nullValue))),
        ("true", .boolean(true), proto(.booleanValue(true))),
        ("false, a default inside the oneof", .boolean(false), proto(.booleanValue(false))),
        ("integer beyond 2^53", .integer(9_007_199_254_740_993), proto(.integerValue(9_007_199_254_740_993))),
        ("integer zero", .integer(0), proto(.integerValue(0))),
        ("integer min", .integer(.min), proto(.integerValue(.min))),
        ("double", .double(1.5), proto(.doubleValue(1.5))),
        ("whole double", .double(2), proto(.doubleValue(2))),
        ("double zero", .double(0), proto(.doubleValue(0))),
        ("infinity", .double(.infinity), proto(.doubleValue(.infinity))),
        ("minus infinity", .double(-.infinity), proto(.doubleValue(-.infinity))),
        ("timestamp with microseconds", .timestamp("2026-11-26T12:30:15.123456Z"),
         proto(.timestampValue(Google_Protobuf_Timestamp(seconds: 1_795_696_215, nanos: 123_456_000)))),
        ("timestamp on a whole second", .timestamp("2026-11-26T12:30:15.000000Z"),
         proto(.timestampValue(Google_Protobuf_Timestamp(seconds: 1_795_696_215, nanos: 0)))),
        ("string", .string("héllo/\"x\"\n"), proto(.stringValue("héllo/\"x\"\n"))),
        ("empty string", .string(""), proto(.stringValue(""))),
        ("bytes", .bytes(Data([0, 0xFF, 0x10, 0xFB])), proto(.bytesValue(Data([0, 0xFF, 0x10, 0xFB])))),
        ("empty bytes", .bytes(Data()), proto(.bytesValue(Data()))),
        ("reference", .reference("projects/p/databases/(default)/documents/a/b"),
         proto(.referenceValue("projects/p/databases/(default)/documents/a/b"))),
        ("geo point", .geoPoint(latitude: 52.52, longitude: -13.4), proto(.geoPointValue(geo))),
        ("geo point at 0,0", .geoPoint(latitude: 0, longitude: 0), proto(.geoPointValue(Google_Type_LatLng()))),
        ("array", .array([.integer(1), .string("two"), .null]), array([proto(.integerValue(1)), proto(.stringValue("two")), proto(.nullValue(.nullValue))])),
        ("empty array", .array([]), array([])),
        ("map", .map(["a": .map(["b": .array([.boolean(true)])]), "n": .double(0.25)]),
         map(["a": map(["b": array([proto(.booleanValue(true))])]), "n": proto(.doubleValue(0.25))])),
        ("empty map", .map([:]), map([:])),
    ]

    @Test("REST value → message → REST value", arguments: cases.indices)
    func restRoundTrip(_ index: Int) throws {
        let (label, rest, expected) = Self.cases[index]
        let message = try ProtoJSON.message(Proto.self, from: rest)
        #expect(message == expected, "\(label): \(message)")
        #expect(try ProtoJSON.decode(FirestoreValue.self, from: message) == rest, "\(label)")
    }

    @Test("message → REST value → message, in binary too", arguments: cases.indices)
    func protoRoundTrip(_ index: Int) throws {
        let (label, expected, proto) = Self.cases[index]
        let wire = try Proto(serializedBytes: try proto.serializedBytes() as [UInt8])
        let rest = try ProtoJSON.decode(FirestoreValue.self, from: wire)
        #expect(rest == expected, "\(label)")
        #expect(try ProtoJSON.message(Proto.self, from: rest) == proto, "\(label)")
    }

    @Test("NaN crosses both ways as NaN")
    func notANumber() throws {
        let message = try ProtoJSON.message(Proto.self, from: FirestoreValue.double(.nan))
        guard case .doubleValue(let number) = message.valueType else { Issue.record("not a double: \(message)"); return }
        #expect(number.isNaN)
        guard case .double(let back) = try ProtoJSON.decode(FirestoreValue.self, from: Self.proto(.doubleValue(.nan))) else {
            Issue.record("not a double")
            return
        }
        #expect(back.isNaN)
    }

    @Test("a document with its times crosses both ways")
    func document() throws {
        let rest = Emulator.FirestoreDocument(name: "projects/p/databases/(default)/documents/a/b",
                                              fields: ["n": .integer(3), "when": .timestamp("2026-01-02T03:04:05.678901Z")],
                                              createTime: GoogleTimestamp(microseconds: 1_700_000_000_123_456),
                                              updateTime: GoogleTimestamp(microseconds: 1_700_000_001_000_000))
        let message = try ProtoJSON.message(Google_Firestore_V1_Document.self, from: rest)
        #expect(message.createTime == Google_Protobuf_Timestamp(seconds: 1_700_000_000, nanos: 123_456_000))
        #expect(message.updateTime == Google_Protobuf_Timestamp(seconds: 1_700_000_001, nanos: 0))
        #expect(message.fields["n"] == Self.proto(.integerValue(3)))
        let back = try ProtoJSON.decode(Emulator.FirestoreDocument.self, from: message)
        #expect(back.name == rest.name && back.fields == rest.fields && back.createTime == rest.createTime && back.updateTime == rest.updateTime)
    }

    @Test("a value kind REST does not know (a pipeline's field reference) is INVALID_ARGUMENT")
    func unknownKind() {
        #expect(throws: Emulator.GoogleAPIError.self) { try ProtoJSON.decode(FirestoreValue.self, from: Self.proto(.fieldReferenceValue("a"))) }
    }
}
