import Foundation
import GoogleCloud

/// Cloud Tasks' methods, once: the REST routes and the gRPC service both call these with names
/// already checked, so every check and default holds on both transports or on neither.
struct TasksService: Sendable {
    let store: TasksStore

    func createQueue(parent: String, queue: TasksQueue) async throws -> TasksQueue {
        var queue = queue
        guard let name = queue.name, !name.isEmpty else { throw GoogleAPIError.invalidArgument("queue.name is required.") }
        let prefix = parent + "/queues/"
        guard name.hasPrefix(prefix), ResourceID.isValidQueue(String(name.dropFirst(prefix.count))) else {
            throw GoogleAPIError.invalidArgument("Invalid queue name \"\(name)\"; it must be \(prefix)QUEUE_ID with 1-100 letters, digits or hyphens.")
        }
        queue.purgeTime = nil
        return try await store.createQueue(try queue.withDefaults())
    }

    func listQueues(parent: String, pageSize: Int?, pageToken: String?) async throws -> ListQueuesResponse {
        let page = try await store.listQueues(parent: parent, pageSize: try PageToken.size(pageSize, fallback: 100, maximum: 9800),
                                              after: try PageToken.key(from: pageToken))
        return ListQueuesResponse(queues: page.queues, nextPageToken: page.next.map(PageToken.make(after:)))
    }

    func updateQueue(name: String, patch: TasksQueue, mask: UpdateMask) async throws -> TasksQueue {
        if let given = patch.name, !given.isEmpty, given != name {
            throw GoogleAPIError.invalidArgument("queue.name \"\(given)\" does not match the queue of the request (\(name)).")
        }
        return try await store.updateQueue(name: name, patch: patch, mask: mask)
    }

    func createTask(queue: String, task: TasksTask, view: TasksTask.View?) async throws -> TasksTask {
        Self.view(try await store.createTask(queue: queue, task: try validated(task, queue: queue)), view)
    }

    func listTasks(queue: String, view: TasksTask.View?, pageSize: Int?, pageToken: String?) async throws -> ListTasksResponse {
        let page = try await store.listTasks(queue: queue, pageSize: try PageToken.size(pageSize, fallback: 1000, maximum: 1000),
                                             after: try PageToken.key(from: pageToken))
        return ListTasksResponse(tasks: page.tasks.map { Self.view($0, view) }, nextPageToken: page.next.map(PageToken.make(after:)))
    }

    func task(name: String, view: TasksTask.View?) async throws -> TasksTask {
        Self.view(try await store.task(name: name), view)
    }

    func runTask(name: String, view: TasksTask.View?) async throws -> TasksTask {
        Self.view(try await store.runTask(name: name), view)
    }

    /// The known regions and those holding queues.
    func locations(project: String) async throws -> ListLocationsResponse {
        let inUse = try await store.locations(project: project)
        return ListLocationsResponse(locations: Set(TasksLocation.known + inUse).sorted().map { Self.location(project: project, id: $0) })
    }

    static func location(project: String, id: String) -> TasksLocation {
        TasksLocation(name: "projects/\(project)/locations/\(id)", locationId: id, displayName: id)
    }

    /// The task with its name checked or generated and its request validated.
    private func validated(_ task: TasksTask, queue: String) throws -> TasksTask {
        var task = task
        if let name = task.name, !name.isEmpty {
            let prefix = queue + "/tasks/"
            guard name.hasPrefix(prefix), ResourceID.isValidTask(String(name.dropFirst(prefix.count))) else {
                throw GoogleAPIError.invalidArgument("Invalid task name \"\(name)\"; it must be \(prefix)TASK_ID with 1-500 letters, digits, hyphens or underscores.")
            }
        } else {
            task.name = "\(queue)/tasks/\(UInt64.random(in: 1_000_000_000_000_000_000...UInt64.max))"
        }
        if task.appEngineHttpRequest != nil {
            throw GoogleAPIError.invalidArgument("task.appEngineHttpRequest is not supported by this emulator; use task.httpRequest.")
        }
        guard var http = task.httpRequest else { throw GoogleAPIError.invalidArgument("task.httpRequest is required.") }
        guard let url = http.url, let components = URLComponents(string: url), ["http", "https"].contains(components.scheme?.lowercased() ?? ""),
              components.host?.isEmpty == false else {
            throw GoogleAPIError.invalidArgument("task.httpRequest.url must be an absolute http or https URL (got \"\(http.url ?? "")\").")
        }
        if http.httpMethod == nil || http.httpMethod == .unspecified { http.httpMethod = .post }
        if let body = http.body, Data(base64Encoded: body) == nil {
            throw GoogleAPIError.invalidArgument("Invalid value at 'task.http_request.body' (TYPE_BYTES), Base64 decoding failed.")
        }
        if let deadline = task.dispatchDeadline, !TasksStore.dispatchDeadlineRange.contains(deadline.nanoseconds) {
            throw GoogleAPIError.invalidArgument("task.dispatchDeadline must be between 15s and 1800s (got \(deadline.text)).")
        }
        if let oidc = http.oidcToken, (oidc.serviceAccountEmail ?? "").isEmpty {
            throw GoogleAPIError.invalidArgument("task.httpRequest.oidcToken.serviceAccountEmail is required.")
        }
        if http.oidcToken != nil, http.oauthToken != nil {
            throw GoogleAPIError.invalidArgument("task.httpRequest may set oidcToken or oauthToken, not both.")
        }
        task.httpRequest = http
        guard TasksLimits.size(of: task) <= TasksLimits.taskBytes else { throw TasksLimits.taskTooLarge }
        return task
    }

    /// The task as `view` shows it: BASIC (the default) leaves out the request body.
    static func view(_ task: TasksTask, _ view: TasksTask.View?) -> TasksTask {
        var task = task
        let view = view == .full ? TasksTask.View.full : .basic
        task.view = view
        if view == .basic { task.httpRequest?.body = nil }
        return task
    }
}

/// `ListQueues` response.
struct ListQueuesResponse: Encodable, Sendable {
    var queues: [TasksQueue]
    var nextPageToken: String?
}

/// `ListTasks` response.
struct ListTasksResponse: Encodable, Sendable {
    var tasks: [TasksTask]
    var nextPageToken: String?
}
