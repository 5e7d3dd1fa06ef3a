import Foundation

/// A Firestore `Value` in its typed REST JSON form — `{"integerValue":"3"}`,
/// `{"stringValue":"x"}`, `{"mapValue":{"fields":{…}}}` — exactly one member naming the type.
/// The one definition the client and the emulator both read and write.
public indirect enum FirestoreValue: Sendable, Equatable {
    case null
    case boolean(Bool)
    /// int64, sent as a decimal string (numbers are accepted).
    case integer(Int64)
    /// NaN and the infinities travel as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
    case double(Double)
    /// RFC 3339, as Google writes it (UTC, `Z`).
    case timestamp(String)
    case string(String)
    /// Base64 on the wire.
    case bytes(Data)
    /// A document resource name.
    case reference(String)
    case geoPoint(latitude: Double, longitude: Double)
    case array([FirestoreValue])
    case map([String: FirestoreValue])
}

extension FirestoreValue: Codable {
    /// The member naming the value's type.
    private enum Key: String, CodingKey, CaseIterable {
        case nullValue, booleanValue, integerValue, doubleValue, timestampValue, stringValue
        case bytesValue, referenceValue, geoPointValue, arrayValue, mapValue
    }
    private struct ArrayBody: Codable { var values: [FirestoreValue]? }
    private struct MapBody: Codable { var fields: [String: FirestoreValue]? }
    private struct GeoPoint: Codable { var latitude: Double?; var longitude: Double? }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let present = container.allKeys
        guard present.count == 1, let key = present.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "a Value needs exactly one of \(Key.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        switch key {
        case .nullValue: self = .null
        case .booleanValue: self = .boolean(try container.decode(Bool.self, forKey: key))
        case .integerValue: self = .integer(try container.decode(FlexibleInt64.self, forKey: key).value)
        case .doubleValue:
            if let number = try? container.decode(Double.self, forKey: key) {
                self = .double(number)
            } else {
                switch try container.decode(String.self, forKey: key) {
                case "NaN": self = .double(.nan)
                case "Infinity": self = .double(.infinity)
                case "-Infinity": self = .double(-.infinity)
                case let text: throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "\"\(text)\" is not a double")
                }
            }
        case .timestampValue:
            let text = try container.decode(String.self, forKey: key)
            guard let time = GoogleTimestamp(rfc3339: text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "\"\(text)\" is not an RFC 3339 timestamp")
            }
            self = .timestamp(time.rfc3339)
        case .stringValue: self = .string(try container.decode(String.self, forKey: key))
        case .bytesValue: self = .bytes(try container.decode(Data.self, forKey: key))
        case .referenceValue: self = .reference(try container.decode(String.self, forKey: key))
        case .geoPointValue:
            let point = try container.decode(GeoPoint.self, forKey: key)
            self = .geoPoint(latitude: point.latitude ?? 0, longitude: point.longitude ?? 0)
        case .arrayValue: self = .array(try container.decode(ArrayBody.self, forKey: key).values ?? [])
        case .mapValue: self = .map(try container.decode(MapBody.self, forKey: key).fields ?? [:])
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .null: try container.encodeNil(forKey: .nullValue)
        case .boolean(let value): try container.encode(value, forKey: .booleanValue)
        case .integer(let value): try container.encode(String(value), forKey: .integerValue)
        case .double(let value):
            if value.isNaN {
                try container.encode("NaN", forKey: .doubleValue)
            } else if value.isInfinite {
                try container.encode(value > 0 ? "Infinity" : "-Infinity", forKey: .doubleValue)
            } else {
                try container.encode(value, forKey: .doubleValue)
            }
        case .timestamp(let value): try container.encode(value, forKey: .timestampValue)
        case .string(let value): try container.encode(value, forKey: .stringValue)
        case .bytes(let value): try container.encode(value, forKey: .bytesValue)
        case .reference(let value): try container.encode(value, forKey: .referenceValue)
        case .geoPoint(let latitude, let longitude): try container.encode(GeoPoint(latitude: latitude, longitude: longitude), forKey: .geoPointValue)
        // Empty arrays and maps are `{}` inside, as Firestore writes them.
        case .array(let values): try container.encode(ArrayBody(values: values.isEmpty ? nil : values), forKey: .arrayValue)
        case .map(let fields): try container.encode(MapBody(fields: fields.isEmpty ? nil : fields), forKey: .mapValue)
        }
    }
}

extension FirestoreValue {
    /// The integer, when this is one.
    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}
