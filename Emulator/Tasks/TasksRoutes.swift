import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird

/// Cloud Tasks REST v2: `/v2/projects/P/locations…` and `/v2/projects/P/locations/L/queues…`.
/// Every other `/v2/` path answers `notServed` (Cloud Tasks is the emulator's only v2 API).
/// The methods themselves are `TasksService`'s, which the gRPC service calls too.
struct TasksRoutes: APIRouteGroup {
    let service: TasksService
    let limits: APILimits

    init(store: TasksStore, limits: APILimits) {
        self.service = TasksService(store: store)
        self.limits = limits
    }

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
        let parent = try TasksNames.parent(project: segments[2], location: segments[4])
        let query = request.apiQuery
        switch (segments.count, path.verb, request.method) {
        case (6, nil, .post):
            let queue = try await request.decodeJSON(TasksQueue.self, limit: limits.maxRequestBytes)
            return try APIJSON.response(try await service.createQueue(parent: parent, queue: queue))
        case (6, nil, .get):
            return try APIJSON.response(try await service.listQueues(parent: parent, pageSize: query.int("pageSize"), pageToken: query["pageToken"]))
        case (7, nil, .get):
            return try APIJSON.response(try await service.store.queue(name: try TasksNames.queue(parent: parent, id: segments[6])))
        case (7, nil, .patch):
            let name = try TasksNames.queue(parent: parent, id: segments[6])
            let patch = try await request.decodeJSON(TasksQueue.self, limit: limits.maxRequestBytes)
            return try APIJSON.response(try await service.updateQueue(name: name, patch: patch, mask: UpdateMask(query.all("updateMask"))))
        case (7, nil, .delete):
            try await service.store.deleteQueue(name: try TasksNames.queue(parent: parent, id: segments[6]))
            return APIJSON.emptyResponse()
        case (7, "pause", .post):
            return try APIJSON.response(try await service.store.setState(.paused, queue: try TasksNames.queue(parent: parent, id: segments[6])))
        case (7, "resume", .post):
            return try APIJSON.response(try await service.store.setState(.running, queue: try TasksNames.queue(parent: parent, id: segments[6])))
        case (7, "purge", .post):
            return try APIJSON.response(try await service.store.purge(queue: try TasksNames.queue(parent: parent, id: segments[6])))
        case (8, nil, .post) where segments[7] == "tasks":
            let queue = try TasksNames.queue(parent: parent, id: segments[6])
            let body: CreateTaskRequest
            do {
                body = try await request.decodeJSON(CreateTaskRequest.self, limit: min(limits.maxRequestBytes, TasksLimits.createRequestBytes))
            } catch let error as GoogleAPIError where error.status == .contentTooLarge && TasksLimits.createRequestBytes < limits.maxRequestBytes {
                throw TasksLimits.taskTooLarge
            }
            return try APIJSON.response(try await service.createTask(queue: queue, task: body.task, view: body.responseView))
        case (8, nil, .get) where segments[7] == "tasks":
            let queue = try TasksNames.queue(parent: parent, id: segments[6])
            return try APIJSON.response(try await service.listTasks(
                queue: queue, view: try Self.responseView(query["responseView"]), pageSize: query.int("pageSize"), pageToken: query["pageToken"]
            ))
        case (9, nil, .get) where segments[7] == "tasks":
            let name = try TasksNames.task(queue: try TasksNames.queue(parent: parent, id: segments[6]), id: segments[8])
            return try APIJSON.response(try await service.task(name: name, view: try Self.responseView(query["responseView"])))
        case (9, nil, .delete) where segments[7] == "tasks":
            try await service.store.deleteTask(name: try TasksNames.task(queue: try TasksNames.queue(parent: parent, id: segments[6]), id: segments[8]))
            return APIJSON.emptyResponse()
        case (9, "run", .post) where segments[7] == "tasks":
            let name = try TasksNames.task(queue: try TasksNames.queue(parent: parent, id: segments[6]), id: segments[8])
            let body = try await request.decodeJSON(RunTaskRequest.self, limit: limits.maxRequestBytes)
            return try APIJSON.response(try await service.runTask(name: name, view: body.responseView))
        default:
            throw notServed(request)
        }
    }

    private func notServed(_ request: Request) -> GoogleAPIError {
        .notServed(api: "Cloud Tasks", method: request.method, path: request.uri.path)
    }

    /// `GET …/locations` (the known regions and those holding queues) or one location.
    private func locationResponse(project: String, id: String?) async throws -> Response {
        if let id {
            guard ResourceID.isValidProjectOrLocation(id) else { throw GoogleAPIError.invalidArgument("Invalid location id \"\(id)\".") }
            return try APIJSON.response(TasksService.location(project: project, id: id))
        }
        return try APIJSON.response(try await service.locations(project: project))
    }

    private static func responseView(_ text: String?) throws -> TasksTask.View? {
        guard let text, !text.isEmpty else { return nil }
        if let number = Int(text), let view = TasksTask.View.allCases.first(where: { $0.number == number }) { return view }
        guard let view = TasksTask.View(rawValue: text) else { throw GoogleAPIError.invalidArgument("Invalid responseView \"\(text)\".") }
        return view
    }
}
