/// The body of a Google API response that carries nothing the caller needs (`{}`).
public struct EmptyResponse: Decodable, Sendable, Equatable {
    /// An empty response.
    public init() {}
}
