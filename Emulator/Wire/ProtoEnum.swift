/// A protobuf enum field that clients send either by name (`"POST"`) or by number (`2`, with
/// `$alt=json;enum-encoding=int`). Decodes both to the case; encodes the name.
protocol ProtoEnum: Codable, Sendable, CaseIterable, RawRepresentable where RawValue == String {
    /// The enum's number on the wire.
    var number: Int { get }
}

extension ProtoEnum {
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            guard let match = Self.allCases.first(where: { $0.number == number }) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(number) is not a valid \(Self.self)")
            }
            self = match
        } else {
            let name = try container.decode(String.self)
            guard let match = Self(rawValue: name) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(name)\" is not a valid \(Self.self)")
            }
            self = match
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
