import Foundation
import PixelPipeCore

/// An error answer from a Google API (`{"error":{"code","message","status"}}`), or a failure
/// to reach it, with the resource it was about.
public struct GoogleAPIError: Error, Sendable, CustomStringConvertible, RetryClassifiedError {
    /// The HTTP status (0 when no response arrived).
    public let httpStatus: Int
    /// Google's canonical status name, e.g. `NOT_FOUND`, `ALREADY_EXISTS`, `FAILED_PRECONDITION`.
    public let status: String
    /// The server's message, or the transport failure.
    public let message: String
    /// What was asked for, e.g. `gs://bucket/object` or a queue name.
    public let resource: String

    private let transportTransient: Bool?

    public init(httpStatus: Int, status: String, message: String, resource: String) {
        self.init(httpStatus: httpStatus, status: status, message: message, resource: resource, transportTransient: nil)
    }

    private init(httpStatus: Int, status: String, message: String, resource: String, transportTransient: Bool?) {
        self.httpStatus = httpStatus
        self.status = status
        self.message = message
        self.resource = resource
        self.transportTransient = transportTransient
    }

    /// 404 / NOT_FOUND.
    public var isNotFound: Bool { httpStatus == 404 || status == "NOT_FOUND" }
    /// 409 / ALREADY_EXISTS (a remembered task name, an existing topic or document).
    public var isAlreadyExists: Bool { status == "ALREADY_EXISTS" || (httpStatus == 409 && status != "ABORTED") }
    /// 412, or FAILED_PRECONDITION (Storage `ifGenerationMatch`, Firestore `currentDocument`).
    public var isPreconditionFailed: Bool { httpStatus == 412 || status == "FAILED_PRECONDITION" }
    /// 400 / INVALID_ARGUMENT.
    public var isInvalidArgument: Bool { status == "INVALID_ARGUMENT" || (httpStatus == 400 && status.isEmpty) }

    /// 429, 5xx (but 501), ABORTED, and transport failures the HTTP client deems transient.
    public var isTransient: Bool {
        if let transportTransient { return transportTransient }
        return httpStatus == 429 || httpStatus == 408 || (httpStatus >= 500 && httpStatus != 501) || status == "ABORTED"
    }

    public var description: String {
        let code = httpStatus == 0 ? "no response" : "\(httpStatus) \(status)"
        return "\(resource): \(code): \(message)"
    }

    /// The error a response with a non-success status stands for.
    static func from(_ response: HTTPClient.Response, resource: String) -> GoogleAPIError {
        let detail = try? JSONDecoder().decode(GoogleErrorBody.self, from: response.body).error
        let fallback = String(decoding: response.body.prefix(200), as: UTF8.self)
        return GoogleAPIError(
            httpStatus: response.status,
            status: detail?.status ?? GoogleStatusCode(httpStatus: response.status).rawValue,
            message: detail?.message ?? (fallback.isEmpty ? "HTTP \(response.status)" : fallback),
            resource: resource
        )
    }

    /// A transport failure, kept transient or not as the client classified it.
    static func transport(_ error: HTTPClientError, resource: String) -> GoogleAPIError {
        GoogleAPIError(httpStatus: 0, status: "UNAVAILABLE", message: error.description, resource: resource, transportTransient: error.isTransient)
    }

}
