import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird

/// Cloud Tasks REST v2: `/v2/projects/P/locations…` and `/v2/projects/P/locations/L/queues…`.
/// Every other `/v2/` path answers `notServed` (Cloud Tasks is the emulator's only v2 API).
struct TasksRoutes: APIRouteGroup {
    let store: TasksStore
    let limits: APILimits

    func register(on router: Router<BasicRequestContext>) {
        registerAllMethods("v2/**", on: router) { request, _ in try await handle(request) }
    }

    private func handle(_ request: Request) async throws -> Response {
        let path = try request.apiPath()
        let segments = path.segments
        guard segments.count >= 4, segments[1] == "projects", segments[3] == "locations" else { throw notServed(request) }
        guard ResourceID.isValidProjectOrLocation(segments[2]) else { throw GoogleAPIError.invalidArgument("Invalid project id \"\(segments[2])\".") }
        if segments.count <= 5, path.verb == nil, request.method == .get {
            return try await locationResponse(project: segments[2], id: segments.count == 5 ? segments[4] : nil)
        }
        guard segments.count >= 6, segments[5] == "queues" else { throw notServed(request) }
        let (project, location) = (segments[2], segments[4])
        guard ResourceID.isValidProjectOrLocation(project), ResourceID.isValidProjectOrLocation(location) else {
            throw GoogleAPIError.invalidArgument("Invalid parent \"projects/\(project)/locations/\(location)\".")
        }
        let parent = "projects/\(project)/locations/\(location)"
        let query = request.apiQuery
        switch (segments.count, path.verb, request.method) {
        case (6, nil, .post):
            return try APIJSON.response(try await createQueue(parent: parent, request: request))
        case (6, nil, .get):
            let page = try await store.listQueues(parent: parent, pageSize: try PageToken.size(query.int("pageSize"), fallback: 100, maximum: 9800),
                                                  after: try PageToken.key(from: query["pageToken"]))
            return try APIJSON.response(ListQueuesResponse(queues: page.queues, nextPageToken: page.next.map(PageToken.make(after:))))
        case (7, nil, .get):
            return try APIJSON.response(try await store.queue(name: try queueName(parent, segments[6])))
        case (7, nil, .patch):
            let name = try queueName(parent, segments[6])
            let patch = try await request.decodeJSON(TasksQueue.self, limit: limits.maxRequestBytes)
            if let given = patch.name, !given.isEmpty, given != name {
                throw GoogleAPIError.invalidArgument("queue.name \"\(given)\" does not match the queue of the request path (\(name)).")
            }
            return try APIJSON.response(try await store.updateQueue(name: name, patch: patch, mask: UpdateMask(query.all("updateMask"))))
        case (7, nil, .delete):
            try await store.deleteQueue(name: try queueName(parent, segments[6]))
            return APIJSON.emptyResponse()
        case (7, "pause", .post):
            return try APIJSON.response(try await store.setState(.paused, queue: try queueName(parent, segments[6])))
        case (7, "resume", .post):
            return try APIJSON.response(try await store.setState(.running, queue: try queueName(parent, segments[6])))
        case (7, "purge", .post):
            return try APIJSON.response(try await store.purge(queue: try queueName(parent, segments[6])))
        case (8, nil, .post) where segments[7] == "tasks":
            let queue = try queueName(parent, segments[6])
            let body: CreateTaskRequest
            do {
                body = try await request.decodeJSON(CreateTaskRequest.self, limit: min(limits.maxRequestBytes, TasksLimits.createRequestBytes))
            } catch let error as GoogleAPIError where error.status == .contentTooLarge && TasksLimits.createRequestBytes < limits.maxRequestBytes {
                throw TasksLimits.taskTooLarge
            }
            let created = try await store.createTask(queue: queue, task: try validated(body.task, queue: queue))
            return try APIJSON.response(Self.view(created, body.responseView))
        case (8, nil, .get) where segments[7] == "tasks":
            let queue = try queueName(parent, segments[6])
            let view = try Self.responseView(query["responseView"])
            let page = try await store.listTasks(queue: queue, pageSize: try PageToken.size(query.int("pageSize"), fallback: 1000, maximum: 1000),
                                                 after: try PageToken.key(from: query["pageToken"]))
            return try APIJSON.response(ListTasksResponse(tasks: page.tasks.map { Self.view($0, view) }, nextPageToken: page.next.map(PageToken.make(after:))))
        case (9, nil, .get) where segments[7] == "tasks":
            let name = try taskName(try queueName(parent, segments[6]), segments[8])
            return try APIJSON.response(Self.view(try await store.task(name: name), try Self.responseView(query["responseView"])))
        case (9, nil, .delete) where segments[7] == "tasks":
            try await store.deleteTask(name: try taskName(try queueName(parent, segments[6]), segments[8]))
            return APIJSON.emptyResponse()
        case (9, "run", .post) where segments[7] == "tasks":
            let name = try taskName(try queueName(parent, segments[6]), segments[8])
            let body = try await request.decodeJSON(RunTaskRequest.self, limit: limits.maxRequestBytes)
            return try APIJSON.response(Self.view(try await store.runTask(name: name), body.responseView))
        default:
            throw notServed(request)
        }
    }

    private func notServed(_ request: Request) -> GoogleAPIError {
        .notServed(api: "Cloud Tasks", method: request.method, path: request.uri.path)
    }

    /// `GET …/locations` (the known regions and those holding queues) or one location.
    private func locationResponse(project: String, id: String?) async throws -> Response {
        func make(_ id: String) -> TasksLocation {
            TasksLocation(name: "projects/\(project)/locations/\(id)", locationId: id, displayName: id)
        }
        if let id {
            guard ResourceID.isValidProjectOrLocation(id) else { throw GoogleAPIError.invalidArgument("Invalid location id \"\(id)\".") }
            return try APIJSON.response(make(id))
        }
        let inUse = try await store.locations(project: project)
        return try APIJSON.response(ListLocationsResponse(locations: Set(TasksLocation.known + inUse).sorted().map(make)))
    }

    private func createQueue(parent: String, request: Request) async throws -> TasksQueue {
        var queue = try await request.decodeJSON(TasksQueue.self, limit: limits.maxRequestBytes)
        guard let name = queue.name, !name.isEmpty else { throw GoogleAPIError.invalidArgument("queue.name is required.") }
        let prefix = parent + "/queues/"
        guard name.hasPrefix(prefix), ResourceID.isValidQueue(String(name.dropFirst(prefix.count))) else {
            throw GoogleAPIError.invalidArgument("Invalid queue name \"\(name)\"; it must be \(prefix)QUEUE_ID with 1-100 letters, digits or hyphens.")
        }
        queue.purgeTime = nil
        return try await store.createQueue(try queue.withDefaults())
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

    private func queueName(_ parent: String, _ id: String) throws -> String {
        guard ResourceID.isValidQueue(id) else { throw GoogleAPIError.invalidArgument("Invalid queue id \"\(id)\".") }
        return "\(parent)/queues/\(id)"
    }

    private func taskName(_ queue: String, _ id: String) throws -> String {
        guard ResourceID.isValidTask(id) else { throw GoogleAPIError.invalidArgument("Invalid task id \"\(id)\".") }
        return "\(queue)/tasks/\(id)"
    }

    private static func responseView(_ text: String?) throws -> TasksTask.View? {
        guard let text, !text.isEmpty else { return nil }
        if let number = Int(text), let view = TasksTask.View.allCases.first(where: { $0.number == number }) { return view }
        guard let view = TasksTask.View(rawValue: text) else { throw GoogleAPIError.invalidArgument("Invalid responseView \"\(text)\".") }
        return view
    }

    /// The task as `view` shows it: BASIC (the default) leaves out the request body.
    private static func view(_ task: TasksTask, _ view: TasksTask.View?) -> TasksTask {
        var task = task
        let view = view == .full ? TasksTask.View.full : .basic
        task.view = view
        if view == .basic { task.httpRequest?.body = nil }
        return task
    }
}

/// `GET …/queues` response.
struct ListQueuesResponse: Encodable, Sendable {
    var queues: [TasksQueue]
    var nextPageToken: String?
}

/// `GET …/queues/Q/tasks` response.
struct ListTasksResponse: Encodable, Sendable {
    var tasks: [TasksTask]
    var nextPageToken: String?
}
