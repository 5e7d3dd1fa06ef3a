/// The body of a Google API error, `{"error":{"code":404,"message":"…","status":"NOT_FOUND"}}`:
/// what the emulator writes and the clients read.
public struct GoogleErrorBody: Codable, Sendable, Equatable {
    /// The `error` member.
    public struct Detail: Codable, Sendable, Equatable {
        /// The HTTP status.
        public var code: Int?
        public var message: String?
        /// The canonical code's name, e.g. `NOT_FOUND`.
        public var status: String?
    }

    public var error: Detail

    /// The body for `code` answered with `httpStatus`.
    public init(code: GoogleStatusCode, httpStatus: Int, message: String) {
        error = Detail(code: httpStatus, message: message, status: code.rawValue)
    }
}
