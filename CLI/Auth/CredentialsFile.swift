import Foundation

/// The credentials file's document: one sign-in per API, keyed by the API's base URL
/// (`http://127.0.0.1:8086`), so a local emulator and a deployment are signed in to separately.
public struct CredentialsFile: Codable, Sendable, Equatable {
    public var apis: [String: AccountCredentials]

    public init(apis: [String: AccountCredentials] = [:]) {
        self.apis = apis
    }

    /// The file's bytes: sorted, indented JSON with ISO 8601 dates, readable when a person opens it.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    /// The document in `data`.
    static func decoded(from data: Data) throws -> CredentialsFile {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(CredentialsFile.self, from: data)
    }
}
