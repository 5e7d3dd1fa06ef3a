import Foundation
import GoogleCloud

extension PipelineClients {
    /// Creates the HTTP task `name` on `queue` that POSTs `body` as JSON to `url`, with an OIDC
    /// token for `TASKS_SERVICE_ACCOUNT` when configured. Returns false when a task of that name
    /// already existed: the name is the de-duplication, so that is success too.
    @discardableResult
    public func createTask(
        named name: String, queue: String, url: String, body: some Encodable, at scheduleTime: Date? = nil,
        configuration: PipelineConfiguration
    ) async throws -> Bool {
        let task = CloudTask(
            name: tasks.taskName(name, queue: queue),
            httpRequest: .init(
                url: url,
                httpMethod: "POST",
                headers: ["Content-Type": "application/json"],
                body: try JSONEncoder().encode(body),
                oidcToken: configuration.tasksServiceAccount.map { .init(serviceAccountEmail: $0) }
            ),
            scheduleTime: scheduleTime.map(Timestamp.format)
        )
        do {
            _ = try await tasks.createTask(task, queue: queue)
            return true
        } catch let error as GoogleAPIError where error.isAlreadyExists {
            return false
        }
    }
}
