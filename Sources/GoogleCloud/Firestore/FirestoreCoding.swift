import Foundation

/// Maps Swift `Codable` values to Firestore fields and back, through their JSON form: integers
/// become `integerValue`, fractional numbers `doubleValue`, strings, booleans, nulls, arrays and
/// nested objects their Firestore counterparts. (A `Double` that holds a whole number is stored
/// as `integerValue` and reads back as the same `Double`.)
public enum FirestoreCoding {
    /// The fields of `value`, which must encode as a JSON object.
    public static func fields<Value: Encodable>(from value: Value) throws -> [String: FirestoreValue] {
        let json = try JSONDecoder().decode(JSONValue.self, from: try encoder.encode(value))
        guard case .map(let fields) = json.firestoreValue else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "a Firestore document must encode as a JSON object"))
        }
        return fields
    }

    /// A `Value` decoded from document fields.
    public static func decode<Value: Decodable>(_ type: Value.Type, from fields: [String: FirestoreValue]) throws -> Value {
        let json = JSONValue(FirestoreValue.map(fields))
        return try JSONDecoder().decode(Value.self, from: try encoder.encode(json))
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()
}

extension JSONValue {
    /// The Firestore value this JSON maps to.
    var firestoreValue: FirestoreValue {
        switch self {
        case .null: .null
        case .bool(let value): .boolean(value)
        case .integer(let value): .integer(value)
        case .double(let value): .double(value)
        case .string(let value): .string(value)
        case .array(let values): .array(values.map(\.firestoreValue))
        case .object(let fields): .map(fields.mapValues(\.firestoreValue))
        }
    }

    init(_ value: FirestoreValue) {
        switch value {
        case .null: self = .null
        case .boolean(let value): self = .bool(value)
        case .integer(let value): self = .integer(value)
        case .double(let value): self = .double(value)
        case .timestamp(let value), .string(let value), .reference(let value): self = .string(value)
        case .bytes(let value): self = .string(value.base64EncodedString())
        case .geoPoint(let latitude, let longitude): self = .object(["latitude": .double(latitude), "longitude": .double(longitude)])
        case .array(let values): self = .array(values.map(JSONValue.init))
        case .map(let fields): self = .object(fields.mapValues(JSONValue.init))
        }
    }
}
