import Foundation
import GoogleCloud

/// Dispatches a claimed task to its `httpRequest.url` as Cloud Tasks does: its own method,
/// headers and body, plus the `X-CloudTasks-*` headers, within its `dispatchDeadline`; with an
/// `oidcToken`, `Authorization: Bearer` an ID token of that service account.
struct TaskSender: DeliverySender {
    let client: HTTPClient
    /// Mints the `oidcToken` ID tokens; nil sends none.
    var tokens: ServiceAccountIDTokens?

    func send(_ task: ClaimedTask, in queue: DispatchQueueSettings) async -> DeliveryResponse {
        var bearer: String?
        if let oidc = task.request.oidcToken, let account = oidc.serviceAccountEmail, let tokens {
            do {
                // Cloud Tasks' default audience is the task's URL.
                let audience = oidc.audience.flatMap { $0.isEmpty ? nil : $0 } ?? task.request.url ?? ""
                bearer = try await tokens.token(serviceAccount: account, audience: audience)
            } catch {
                return DeliveryResponse(target: task.request.url ?? "", failure: "cannot mint the OIDC token: \(error)")
            }
        }
        return await client.deliver(Self.request(for: task, bearer: bearer))
    }

    /// The HTTP request for `task`, with the headers Cloud Tasks adds (and `bearer` as its
    /// `Authorization`, replacing any the task set, as Cloud Tasks does).
    static func request(for task: ClaimedTask, bearer: String? = nil) -> HTTPClient.Request {
        let http = task.request
        var headers: [(name: String, value: String)] = (http.headers ?? [:])
            .filter { !$0.key.lowercased().hasPrefix("x-cloudtasks-") }
            .filter { bearer == nil || $0.key.lowercased() != "authorization" }
            .sorted { $0.key < $1.key }
            .map { ($0.key, $0.value) }
        let body = http.body.flatMap { Data(base64Encoded: $0) }
        if body != nil, !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            headers.append(("Content-Type", "application/octet-stream"))
        }
        if !headers.contains(where: { $0.name.lowercased() == "user-agent" }) {
            headers.append(("User-Agent", "Google-Cloud-Tasks"))
        }
        if let bearer { headers.append(("Authorization", "Bearer " + bearer)) }
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
