import Foundation

/// Cloud Tasks' documented task size limit (cloud.google.com/tasks/docs/quotas): an HTTP task,
/// body, headers and URL together, at most 1 MB, refused with Cloud Tasks' own
/// "Task size too large" (400 `INVALID_ARGUMENT`).
enum TasksLimits {
    static let taskBytes = 1_048_576
    /// The JSON of a create request whose task is at the limit (base64 grows the body by a third).
    static let createRequestBytes = 1_600_000

    static var taskTooLarge: GoogleAPIError { .invalidArgument("Task size too large") }

    /// The size Cloud Tasks counts for `task`: its name, URL, headers and decoded body.
    static func size(of task: TasksTask) -> Int {
        let http = task.httpRequest
        let headers = (http?.headers ?? [:]).reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        let body = http?.body.flatMap { Data(base64Encoded: $0)?.count } ?? 0
        return (task.name?.utf8.count ?? 0) + (http?.url?.utf8.count ?? 0) + headers + body
    }
}
