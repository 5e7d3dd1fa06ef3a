import Foundation
import GoogleCloud

/// Dispatches a claimed task to its `httpRequest.url` as Cloud Tasks does: its own method,
/// headers and body, plus the `X-CloudTasks-*` headers, within its `dispatchDeadline`.
struct TaskSender: DeliverySender {
    let client: HTTPClient

    func send(_ task: ClaimedTask, in queue: DispatchQueueSettings) async -> DeliveryResponse {
        await client.deliver(Self.request(for: task))
    }

    /// The HTTP request for `task`, with the headers Cloud Tasks adds.
    static func request(for task: ClaimedTask) -> HTTPClient.Request {
        let http = task.request
        var headers: [(name: String, value: String)] = (http.headers ?? [:])
            .filter { !$0.key.lowercased().hasPrefix("x-cloudtasks-") }
            .sorted { $0.key < $1.key }
            .map { ($0.key, $0.value) }
        let body = http.body.flatMap { Data(base64Encoded: $0) }
        if body != nil, !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            headers.append(("Content-Type", "application/octet-stream"))
        }
        if !headers.contains(where: { $0.name.lowercased() == "user-agent" }) {
            headers.append(("User-Agent", "Google-Cloud-Tasks"))
        }
        headers.append(("X-CloudTasks-QueueName", shortID(task.queue)))
        headers.append(("X-CloudTasks-TaskName", shortID(task.name)))
        headers.append(("X-CloudTasks-TaskRetryCount", String(task.retryCount)))
        headers.append(("X-CloudTasks-TaskExecutionCount", String(task.executionCount)))
        let eta = Double(task.scheduleTimeMicroseconds) / 1_000_000
        headers.append(("X-CloudTasks-TaskETA", String(format: "%.6f", eta)))
        if task.retryCount > 0 {
            if let previous = task.previousResponse {
                headers.append(("X-CloudTasks-TaskPreviousResponse", String(previous)))
            }
            if let reason = task.retryReason {
                headers.append(("X-CloudTasks-TaskRetryReason", reason))
            }
        }
        return HTTPClient.Request(
            method: (http.httpMethod ?? .post) == .unspecified ? "POST" : (http.httpMethod ?? .post).rawValue,
            url: http.url ?? "", headers: headers, body: body, timeout: task.dispatchDeadline
        )
    }

    /// The last path segment of a resource name.
    static func shortID(_ name: String) -> String {
        name.split(separator: "/").last.map(String.init) ?? name
    }
}
