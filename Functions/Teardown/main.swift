import Foundation
import Runtime

/// Teardown: finalizes a job when its last image is done or its deadline passes.
/// Finalization is built in the pipeline issue; until then tasks are decoded and declined.
struct TeardownFunction: CloudTaskFunction {
    func handle(_ request: CloudTaskRequest<Data>, context: InvocationContext) async throws {
        throw InvocationError.notImplemented("teardown does not finalize jobs yet (task \(request.task.taskName) was not run)")
    }
}

await FunctionMain.run(name: "teardown") { _, _ in
    FunctionDefinition(name: "teardown", cloudTask: TeardownFunction())
}
