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

/// Plain JSON, told apart precisely enough to pick Firestore's types.
enum JSONValue: Codable, Equatable {
    case null, bool(Bool), integer(Int64), double(Double), string(String)
    case array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .double(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

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
