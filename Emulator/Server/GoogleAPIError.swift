import Foundation
import FunctionsFramework
import GoogleCloud
import HTTPTypes
import Hummingbird
import NIOCore

/// An error in Google's JSON shape, `{"error":{"code","message","status"}}`, with the HTTP status
/// that goes with its canonical code. Handlers throw it; Hummingbird renders it.
struct GoogleAPIError: HTTPResponseError, CustomStringConvertible {
    let code: GoogleStatusCode
    let status: HTTPResponse.Status
    let message: String

    init(_ code: GoogleStatusCode, status: HTTPResponse.Status, _ message: String) {
        self.code = code
        self.status = status
        self.message = message
    }

    /// 400 `INVALID_ARGUMENT`: the request itself is wrong; the message names the key or name.
    static func invalidArgument(_ message: String) -> GoogleAPIError { .init(.invalidArgument, status: .badRequest, message) }
    /// 404 `NOT_FOUND`: the named resource does not exist.
    static func notFound(_ message: String) -> GoogleAPIError { .init(.notFound, status: .notFound, message) }
    /// 409 `ALREADY_EXISTS`: a resource of that name exists (or is remembered).
    static func alreadyExists(_ message: String) -> GoogleAPIError { .init(.alreadyExists, status: .conflict, message) }
    /// 412 `FAILED_PRECONDITION`: a Storage `if…Match` precondition did not hold.
    static func preconditionFailed(_ message: String) -> GoogleAPIError { .init(.failedPrecondition, status: .preconditionFailed, message) }
    /// 400 `FAILED_PRECONDITION`: the state does not allow the operation (Firestore, Tasks).
    static func failedPrecondition(_ message: String) -> GoogleAPIError { .init(.failedPrecondition, status: .badRequest, message) }
    /// 409 `ABORTED`: a Firestore transaction lost to a concurrent change; the client retries it.
    static func aborted(_ message: String) -> GoogleAPIError { .init(.aborted, status: .conflict, message) }
    /// 413: the request body is larger than the configured limit.
    static func bodyTooLarge(limit: Int) -> GoogleAPIError {
        .init(.invalidArgument, status: .contentTooLarge, "Request body exceeds the emulator's limit of \(limit) bytes (--max-request-bytes).")
    }
    /// 416: a `Range` header that the object cannot satisfy.
    static func rangeNotSatisfiable(_ message: String) -> GoogleAPIError { .init(.outOfRange, status: .rangeNotSatisfiable, message) }
    /// 501 `UNIMPLEMENTED`: a method or path the emulator does not serve.
    static func unimplemented(_ message: String) -> GoogleAPIError { .init(.unimplemented, status: .notImplemented, message) }
    /// 500 `INTERNAL`: the emulator failed (disk, database); retrying may help.
    static func `internal`(_ message: String) -> GoogleAPIError { .init(.internal, status: .internalServerError, message) }

    /// 503 `UNAVAILABLE`: the emulator cannot take the request now (its disk is full); clients retry.
    static func unavailable(_ message: String) -> GoogleAPIError { .init(.unavailable, status: .serviceUnavailable, message) }

    var description: String { "\(status.code) \(code.rawValue): \(message)" }

    /// The body Google's client libraries parse.
    var jsonBody: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let body = GoogleErrorBody(code: code, httpStatus: Int(status.code), message: message)
        let data = (try? encoder.encode(body)) ?? Data(#"{"error":{"code":500,"message":"unencodable error","status":"INTERNAL"}}"#.utf8)
        return String(decoding: data, as: UTF8.self)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=UTF-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: jsonBody)))
    }
}
