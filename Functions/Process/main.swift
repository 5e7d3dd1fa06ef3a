import Foundation
import Runtime

/// Process: one image per Cloud Task, plus the direct `POST /process` API and `GET /jobs/{id}`.
await FunctionMain.run(name: "process") { _, logger in
    let environment = EnvironmentValues(ProcessInfo.processInfo.environment)
    let configuration: ProcessConfiguration
    do {
        configuration = try ProcessConfiguration(environment: environment)
    } catch {
        // The same exit as the runtime's own configuration errors: EX_CONFIG, naming the variable.
        FileHandle.standardError.write(Data("process: configuration error: \(error)\n".utf8))
        exit(78)
    }
    return try ProcessStage.makeFunction(configuration: configuration, api: GoogleAPIClient(environment: environment, logger: logger), logger: logger)
}
