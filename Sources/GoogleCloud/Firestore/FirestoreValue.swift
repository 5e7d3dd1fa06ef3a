import Foundation

/// A Firestore value in its typed REST JSON form: `{"integerValue":"3"}`,
/// `{"stringValue":"x"}`, `{"mapValue":{"fields":{…}}}`, …
public indirect enum FirestoreValue: Sendable, Equatable {
    case null
    case boolean(Bool)
    /// int64, sent as a decimal string.
    case integer(Int64)
    case double(Double)
    /// RFC 3339.
    case timestamp(String)
    case string(String)
    case bytes(Data)
    /// A document resource name.
    case reference(String)
    case geoPoint(latitude: Double, longitude: Double)
    case array([FirestoreValue])
    case map([String: FirestoreValue])
}

extension FirestoreValue: Codable {
    private enum Key: String, CodingKey {
        case nullValue, booleanValue, integerValue, doubleValue, timestampValue, stringValue
        case bytesValue, referenceValue, geoPointValue, arrayValue, mapValue
    }
    private struct ArrayBody: Codable { var values: [FirestoreValue]? }
    private struct MapBody: Codable { var fields: [String: FirestoreValue]? }
    private struct GeoPoint: Codable { var latitude: Double?; var longitude: Double? }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a Firestore value needs exactly one …Value member"))
        }
        switch key {
        case .nullValue: self = .null
        case .booleanValue: self = .boolean(try container.decode(Bool.self, forKey: key))
        case .integerValue:
            // int64 travels as a string; numbers are tolerated.
            if let text = try? container.decode(String.self, forKey: key), let value = Int64(text) {
                self = .integer(value)
            } else {
                self = .integer(try container.decode(Int64.self, forKey: key))
            }
        case .doubleValue:
            if let text = try? container.decode(String.self, forKey: key) {
                switch text {
                case "NaN": self = .double(.nan)
                case "Infinity": self = .double(.infinity)
                case "-Infinity": self = .double(-.infinity)
                default: throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not a double: \(text)")
                }
            } else {
                self = .double(try container.decode(Double.self, forKey: key))
            }
        case .timestampValue: self = .timestamp(try container.decode(String.self, forKey: key))
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
        case .double(let value): try container.encode(value, forKey: .doubleValue)
        case .timestamp(let value): try container.encode(value, forKey: .timestampValue)
        case .string(let value): try container.encode(value, forKey: .stringValue)
        case .bytes(let value): try container.encode(value, forKey: .bytesValue)
        case .reference(let value): try container.encode(value, forKey: .referenceValue)
        case .geoPoint(let latitude, let longitude): try container.encode(GeoPoint(latitude: latitude, longitude: longitude), forKey: .geoPointValue)
        case .array(let values): try container.encode(ArrayBody(values: values), forKey: .arrayValue)
        case .map(let fields): try container.encode(MapBody(fields: fields), forKey: .mapValue)
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
