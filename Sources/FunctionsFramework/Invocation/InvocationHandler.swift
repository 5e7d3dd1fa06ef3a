import PixelPipeCore

/// The one handler shape the server knows: a complete request in, a complete response out.
/// Typed handlers (`CloudEventFunction`, `PubSubFunction`, `CloudTaskFunction`) are adapted
/// down to it; plain HTTP routes implement it directly.
public protocol InvocationHandler: Sendable {
    /// Handles one request. Throw `InvocationError` (or a `RetryClassifiedError`) to choose the
    /// status the caller sees; any other error answers 500.
    func handle(_ request: InvocationRequest, context: InvocationContext) async throws -> InvocationResponse
}

/// A byte-level handler made from a closure, for small HTTP routes.
public struct ClosureHandler: InvocationHandler {
    private let body: @Sendable (InvocationRequest, InvocationContext) async throws -> InvocationResponse

    public init(_ body: @escaping @Sendable (InvocationRequest, InvocationContext) async throws -> InvocationResponse) {
        self.body = body
    }

    public func handle(_ request: InvocationRequest, context: InvocationContext) async throws -> InvocationResponse {
        try await body(request, context)
    }
}
