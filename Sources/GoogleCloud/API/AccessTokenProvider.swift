/// Supplies OAuth access tokens for Google API requests.
public protocol AccessTokenProvider: Sendable {
    /// A currently valid token.
    func accessToken() async throws -> String
}
