import Foundation
import Testing
import TestSupport

/// Google's Cloud Tasks client on its default gRPC transport against `emulator up`, whose delivery
/// loop dispatches the task the script runs by hand.
@Suite(
    "Cloud Tasks over gRPC against Google's Python client",
    .enabled(if: PythonClients.tasksInstalled || PythonClients.required,
             "SKIPPED LOUDLY: google-cloud-tasks is not installed in .build-venv; run scripts/test to install it")
)
struct TasksGRPCPythonClientTests {
    @Test("queues created, updated, paused, resumed, purged; tasks created, listed, read, run early, deleted; errors in milliseconds", .timeLimit(.minutes(3)))
    func googleClient() async throws {
        try #require(PythonClients.tasksInstalled, "PIXELPIPE_REQUIRE_PYTHON_CLIENTS=1 but google-cloud-tasks is missing from .build-venv")
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("grpc-tasks-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let emulator = try await EmulatorProcess(dataDirectory: data)
        defer { emulator.stop() }
        let host = String(emulator.baseURL.dropFirst("http://".count))
        try await PythonClients.runCheckScript("tasks_grpc_client_check.py", arguments: [host], checks: [
            "create_queue", "create_queue twice", "update_queue", "list_queues", "pause_queue and resume_queue", "create_task", "list_tasks", "get_task",
            "run_task", "delete_task", "purge_queue", "get_queue missing", "create_task bad url", "get_iam_policy", "delete_queue",
        ])
    }
}
