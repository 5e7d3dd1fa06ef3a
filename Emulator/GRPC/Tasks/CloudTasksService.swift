import GRPCCore
import GoogleAPIsGRPC
import SwiftProtobuf

/// `google.cloud.tasks.v2.CloudTasks` over gRPC: each method checks the names it is given and
/// calls the same `TasksService` method as its REST route.
struct CloudTasksService: Google_Cloud_Tasks_V2_CloudTasks.SimpleServiceProtocol {
    typealias Method = Google_Cloud_Tasks_V2_CloudTasks.Method
    let service: TasksService

    init(store: TasksStore) { self.service = TasksService(store: store) }

    func listQueues(request: Google_Cloud_Tasks_V2_ListQueuesRequest, context: ServerContext) async throws -> Google_Cloud_Tasks_V2_ListQueuesResponse {
        try await rpc {
            let page = try await service.listQueues(parent: try TasksNames.parent(request.parent), pageSize: Int(request.pageSize), pageToken: request.pageToken)
            return try ProtoJSON.message(Google_Cloud_Tasks_V2_ListQueuesResponse.self, from: page)
        }
    }

    func getQueue(request: Google_Cloud_Tasks_V2_GetQueueRequest, context: ServerContext) async throws -> Google_Cloud_Tasks_V2_Queue {
        try await rpc { try Self.queue(try await service.store.queue(name: try TasksNames.queue(request.name))) }
    }

    func createQueue(request: Google_Cloud_Tasks_V2_CreateQueueRequest, context: ServerContext) async throws -> Google_Cloud_Tasks_V2_Queue {
        try await rpc {
            let parent = try TasksNames.parent(request.parent)
            return try Self.queue(try await service.createQueue(parent: parent, queue: try ProtoJSON.decode(TasksQueue.self, from: request.queue)))
        }
    }

    func updateQueue(request: Google_Cloud_Tasks_V2_UpdateQueueRequest, context: ServerContext) async throws -> Google_Cloud_Tasks_V2_Queue {
        try await rpc {
            let name = try TasksNames.queue(request.queue.name)
            let patch = try ProtoJSON.decode(TasksQueue.self, from: request.queue)
            // A FieldMask's paths are proto field names; the REST mask (and UpdateMask) uses JSON names.
            let mask = UpdateMask(request.updateMask.paths.map(ProtoJSON.jsonPath))
            return try Self.queue(try await service.updateQueue(name: name, patch: patch, mask: mask))
        }
    }

    func deleteQueue(request: Google_Cloud_Tasks_V2_DeleteQueueRequest, context: ServerContext) async throws -> Google_Protobuf_Empty {
        try await rpc {
            try await service.store.deleteQueue(name: try TasksNames.queue(request.name))
            return Google_Protobuf_Empty()
        }
    }

    func purgeQueue(request: Google_Cloud_Tasks_V2_PurgeQueueRequest, context: ServerContext) async throws -> Google_Cloud_Tasks_V2_Queue {
        try await rpc { try Self.queue(try await service.store.purge(queue: try TasksNames.queue(request.name))) }
    }

    func pauseQueue(request: Google_Cloud_Tasks_V2_PauseQueueRequest, context: ServerContext) async throws -> Google_Cloud_Tasks_V2_Queue {
        try await rpc { try Self.queue(try await service.store.setState(.paused, queue: try TasksNames.queue(request.name))) }
    }

    func resumeQueue(request: Google_Cloud_Tasks_V2_ResumeQueueRequest, context: ServerContext) async throws -> Google_Cloud_Tasks_V2_Queue {
        try await rpc { try Self.queue(try await service.store.setState(.running, queue: try TasksNames.queue(request.name))) }
    }

    func getIamPolicy(request: Google_Iam_V1_GetIamPolicyRequest, context: ServerContext) async throws -> Google_Iam_V1_Policy {
        throw RPCError.unimplemented(Method.GetIamPolicy.descriptor)
    }

    func setIamPolicy(request: Google_Iam_V1_SetIamPolicyRequest, context: ServerContext) async throws -> Google_Iam_V1_Policy {
        throw RPCError.unimplemented(Method.SetIamPolicy.descriptor)
    }

    func testIamPermissions(request: Google_Iam_V1_TestIamPermissionsRequest, context: ServerContext) async throws -> Google_Iam_V1_TestIamPermissionsResponse {
        throw RPCError.unimplemented(Method.TestIamPermissions.descriptor)
    }

    func listTasks(request: Google_Cloud_Tasks_V2_ListTasksRequest, context: ServerContext) async throws -> Google_Cloud_Tasks_V2_ListTasksResponse {
        try await rpc {
            let page = try await service.listTasks(queue: try TasksNames.queue(request.parent), view: Self.view(request.responseView),
                                                   pageSize: Int(request.pageSize), pageToken: request.pageToken)
            return try ProtoJSON.message(Google_Cloud_Tasks_V2_ListTasksResponse.self, from: page)
        }
    }

    func getTask(request: Google_Cloud_Tasks_V2_GetTaskRequest, context: ServerContext) async throws -> Google_Cloud_Tasks_V2_Task {
        try await rpc { try Self.task(try await service.task(name: try TasksNames.task(request.name), view: Self.view(request.responseView))) }
    }

    func createTask(request: Google_Cloud_Tasks_V2_CreateTaskRequest, context: ServerContext) async throws -> Google_Cloud_Tasks_V2_Task {
        try await rpc {
            let queue = try TasksNames.queue(request.parent)
            let task = try ProtoJSON.decode(TasksTask.self, from: request.task)
            return try Self.task(try await service.createTask(queue: queue, task: task, view: Self.view(request.responseView)))
        }
    }

    func deleteTask(request: Google_Cloud_Tasks_V2_DeleteTaskRequest, context: ServerContext) async throws -> Google_Protobuf_Empty {
        try await rpc {
            try await service.store.deleteTask(name: try TasksNames.task(request.name))
            return Google_Protobuf_Empty()
        }
    }

    func runTask(request: Google_Cloud_Tasks_V2_RunTaskRequest, context: ServerContext) async throws -> Google_Cloud_Tasks_V2_Task {
        try await rpc { try Self.task(try await service.runTask(name: try TasksNames.task(request.name), view: Self.view(request.responseView))) }
    }

    private static func queue(_ queue: TasksQueue) throws -> Google_Cloud_Tasks_V2_Queue {
        try ProtoJSON.message(Google_Cloud_Tasks_V2_Queue.self, from: queue)
    }

    private static func task(_ task: TasksTask) throws -> Google_Cloud_Tasks_V2_Task {
        try ProtoJSON.message(Google_Cloud_Tasks_V2_Task.self, from: task)
    }

    private static func view(_ view: Google_Cloud_Tasks_V2_Task.View) -> TasksTask.View? {
        TasksTask.View.allCases.first { $0.number == view.rawValue }
    }
}
