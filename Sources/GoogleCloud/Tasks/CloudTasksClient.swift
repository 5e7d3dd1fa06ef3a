import Foundation
import PixelPipeCore

/// Cloud Tasks REST v2: queues (create, get, delete, pause, resume, purge) and HTTP tasks.
public struct CloudTasksClient: Sendable {
    private let api: GoogleAPIClient
    public let project: String
    public let location: String

    public init(api: GoogleAPIClient, project: String, location: String) {
        self.api = api
        self.project = project
        self.location = location
    }

    /// `projects/P/locations/L`.
    public var parent: String { "projects/\(project)/locations/\(location)" }
    /// `projects/P/locations/L/queues/Q`.
    public func queueName(_ queue: String) -> String { "\(parent)/queues/\(queue)" }
    /// `projects/P/locations/L/queues/Q/tasks/T`.
    public func taskName(_ task: String, queue: String) -> String { "\(queueName(queue))/tasks/\(task)" }

    private func path(_ name: String) -> String {
        "/v2/" + name.split(separator: "/").map { GoogleAPIClient.percentEncoded(String($0)) }.joined(separator: "/")
    }

    /// Creates a queue; an existing one throws `isAlreadyExists`.
    @discardableResult
    public func createQueue(_ queue: String, rateLimits: CloudTasksQueue.RateLimits? = nil, retryConfig: CloudTasksQueue.RetryConfig? = nil) async throws -> CloudTasksQueue {
        let resource = CloudTasksQueue(name: queueName(queue), rateLimits: rateLimits, retryConfig: retryConfig)
        return try await api.json(.cloudTasks, method: "POST", path: path(parent) + "/queues", body: resource, resource: queueName(queue))
    }

    /// The queue's configuration and state.
    public func queue(_ queue: String) async throws -> CloudTasksQueue {
        try await api.json(.cloudTasks, method: "GET", path: path(queueName(queue)), resource: queueName(queue))
    }

    /// Deletes a queue and its tasks.
    public func deleteQueue(_ queue: String) async throws {
        _ = try await api.send(.cloudTasks, method: "DELETE", path: path(queueName(queue)), resource: queueName(queue))
    }

    /// Stops dispatching from the queue.
    @discardableResult
    public func pauseQueue(_ queue: String) async throws -> CloudTasksQueue { try await queueVerb("pause", queue) }
    /// Resumes dispatching.
    @discardableResult
    public func resumeQueue(_ queue: String) async throws -> CloudTasksQueue { try await queueVerb("resume", queue) }
    /// Deletes every task in the queue.
    @discardableResult
    public func purgeQueue(_ queue: String) async throws -> CloudTasksQueue { try await queueVerb("purge", queue) }

    private func queueVerb(_ verb: String, _ queue: String) async throws -> CloudTasksQueue {
        try await api.json(.cloudTasks, method: "POST", path: path(queueName(queue)) + ":\(verb)", body: [String: String](), resource: queueName(queue))
    }

    /// Creates a task. With a name, a name the queue still remembers throws `isAlreadyExists`:
    /// this is how redelivered work is de-duplicated. Inside a traced piece of work an HTTP task
    /// without one gets a `traceparent` header, so its handler continues the trace.
    @discardableResult
    public func createTask(_ task: CloudTask, queue: String) async throws -> CloudTask {
        struct Body: Encodable { var task: CloudTask }
        return try await api.json(.cloudTasks, method: "POST", path: path(queueName(queue)) + "/tasks", body: Body(task: task.tracedWithCurrentSpan), resource: task.name ?? queueName(queue))
    }

    /// The first `pageSize` tasks of a queue (Cloud Tasks lists at most 1000 per page).
    public func listTasks(queue: String, pageSize: Int = 100) async throws -> [CloudTask] {
        struct Page: Decodable { var tasks: [CloudTask]? }
        let page: Page = try await api.json(
            .cloudTasks, method: "GET", path: path(queueName(queue)) + "/tasks", query: [("pageSize", String(pageSize))], resource: queueName(queue)
        )
        return page.tasks ?? []
    }

    /// A task by short name.
    public func task(_ task: String, queue: String) async throws -> CloudTask {
        try await api.json(.cloudTasks, method: "GET", path: path(taskName(task, queue: queue)), resource: taskName(task, queue: queue))
    }

    /// Deletes a task by short name.
    public func deleteTask(_ task: String, queue: String) async throws {
        _ = try await api.send(.cloudTasks, method: "DELETE", path: path(taskName(task, queue: queue)), resource: taskName(task, queue: queue))
    }
}
