import Foundation
import GoogleCloud

/// `google.cloud.tasks.v2.Attempt`, as the API shows a task's `firstAttempt` and `lastAttempt`.
struct TaskAttempt: Codable, Sendable, Equatable {
    /// `google.rpc.Status` of the attempt: the gRPC code Cloud Tasks maps the HTTP status to.
    struct Status: Codable, Sendable, Equatable {
        var code: Int
        var message: String
    }

    var scheduleTime: GoogleTimestamp?
    var dispatchTime: GoogleTimestamp?
    var responseTime: GoogleTimestamp?
    var responseStatus: Status?

    /// The status of an attempt answered with HTTP `status`, or with none (`failure` says why).
    static func status(http status: Int?, failure: String) -> Status {
        guard let status else { return Status(code: 4, message: failure) }  // DEADLINE_EXCEEDED / UNAVAILABLE alike
        let code: Int
        switch status {
        case 200..<300: code = 0
        case 400: code = 3
        case 401: code = 16
        case 403: code = 7
        case 404: code = 5
        case 409: code = 10
        case 429: code = 8
        case 499: code = 1
        case 501: code = 12
        case 503: code = 14
        case 504: code = 4
        case 500..<600: code = 13
        default: code = 2
        }
        return Status(code: code, message: "HTTP status \(status)")
    }
}
