import Foundation
import Runtime

/// Process: one image per Cloud Task, plus the direct `/process` API and job status.
/// Image work is built in the imaging and pipeline issues; until then tasks are decoded and declined.
struct ProcessFunction: CloudTaskFunction {
    func handle(_ request: CloudTaskRequest<Data>, context: InvocationContext) async throws {
        throw InvocationError.notImplemented("process does not process images yet (task \(request.task.taskName) was not run)")
    }
}

await FunctionMain.run(name: "process") { _, _ in
    FunctionDefinition(name: "process", cloudTask: ProcessFunction())
}
