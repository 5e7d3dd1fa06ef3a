/// A protobuf enum in JSON: Google's servers accept it by name (`"EQUAL"`) or by number (`5`,
/// which REST clients send with `$alt=json;enum-encoding=int`), and write the name.
public protocol ProtoJSONEnum: Codable, Sendable, CaseIterable, RawRepresentable where RawValue == String {
    /// The value's number in the `.proto` definition.
    var protoNumber: Int { get }
}

extension ProtoJSONEnum {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            guard let match = Self.allCases.first(where: { $0.protoNumber == number }) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(number) is not a valid \(Self.self)")
            }
            self = match
            return
        }
        let name = try container.decode(String.self)
        guard let match = Self(rawValue: name) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(name)\" is not a valid \(Self.self)")
        }
        self = match
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
