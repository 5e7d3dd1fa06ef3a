import Foundation

/// A Firestore `Value` in its typed JSON form: exactly one of `nullValue`, `booleanValue`,
/// `integerValue` (a string), `doubleValue`, `timestampValue`, `stringValue`, `bytesValue`,
/// `referenceValue`, `geoPointValue`, `arrayValue.values` or `mapValue.fields`.
indirect enum FirestoreValue: Sendable, Equatable, Codable {
    case null
    case boolean(Bool)
    case integer(Int64)
    case double(Double)
    case timestamp(String)
    case string(String)
    case bytes(String)
    case reference(String)
    case geoPoint(latitude: Double, longitude: Double)
    case array([FirestoreValue])
    case map([String: FirestoreValue])

    /// The member naming the value's type.
    private enum Key: String, CodingKey, CaseIterable {
        case nullValue, booleanValue, integerValue, doubleValue, timestampValue, stringValue, bytesValue
        case referenceValue, geoPointValue, arrayValue, mapValue
    }
    /// `arrayValue`'s member.
    private enum ArrayKey: String, CodingKey { case values }
    /// `mapValue`'s member.
    private enum MapKey: String, CodingKey { case fields }
    /// `geoPointValue`'s members.
    private enum GeoKey: String, CodingKey { case latitude, longitude }

    init(from decoder: any Decoder) throws {
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
                default: throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not a double")
                }
            }
        case .timestampValue:
            let text = try container.decode(String.self, forKey: key)
            guard let time = GoogleTimestamp(rfc3339: text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "\"\(text)\" is not an RFC 3339 timestamp")
            }
            self = .timestamp(time.rfc3339)
        case .stringValue: self = .string(try container.decode(String.self, forKey: key))
        case .bytesValue: self = .bytes(try container.decode(String.self, forKey: key))
        case .referenceValue: self = .reference(try container.decode(String.self, forKey: key))
        case .geoPointValue:
            let geo = try container.nestedContainer(keyedBy: GeoKey.self, forKey: key)
            self = .geoPoint(latitude: try geo.decodeIfPresent(Double.self, forKey: .latitude) ?? 0,
                             longitude: try geo.decodeIfPresent(Double.self, forKey: .longitude) ?? 0)
        case .arrayValue:
            let array = try container.nestedContainer(keyedBy: ArrayKey.self, forKey: key)
            self = .array(try array.decodeIfPresent([FirestoreValue].self, forKey: .values) ?? [])
        case .mapValue:
            let map = try container.nestedContainer(keyedBy: MapKey.self, forKey: key)
            self = .map(try map.decodeIfPresent([String: FirestoreValue].self, forKey: .fields) ?? [:])
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .null: try container.encodeNil(forKey: .nullValue)
        case .boolean(let value): try container.encode(value, forKey: .booleanValue)
        case .integer(let value): try container.encode(String(value), forKey: .integerValue)
        case .double(let value):
            if value.isNaN { try container.encode("NaN", forKey: .doubleValue) } else if value.isInfinite {
                try container.encode(value > 0 ? "Infinity" : "-Infinity", forKey: .doubleValue)
            } else { try container.encode(value, forKey: .doubleValue) }
        case .timestamp(let value): try container.encode(value, forKey: .timestampValue)
        case .string(let value): try container.encode(value, forKey: .stringValue)
        case .bytes(let value): try container.encode(value, forKey: .bytesValue)
        case .reference(let value): try container.encode(value, forKey: .referenceValue)
        case .geoPoint(let latitude, let longitude):
            var geo = container.nestedContainer(keyedBy: GeoKey.self, forKey: .geoPointValue)
            try geo.encode(latitude, forKey: .latitude)
            try geo.encode(longitude, forKey: .longitude)
        case .array(let values):
            var array = container.nestedContainer(keyedBy: ArrayKey.self, forKey: .arrayValue)
            if !values.isEmpty { try array.encode(values, forKey: .values) }
        case .map(let fields):
            var map = container.nestedContainer(keyedBy: MapKey.self, forKey: .mapValue)
            if !fields.isEmpty { try map.encode(fields, forKey: .fields) }
        }
    }
}
