import Foundation
import Runtime

/// Teardown: finalizes a job when its last image is done or its deadline passes.
await FunctionMain.run(name: "teardown") { _, logger in
    let environment = EnvironmentValues(ProcessInfo.processInfo.environment)
    return TeardownService.makeFunction(
        configuration: try TeardownConfiguration(environment: environment),
        api: GoogleAPIClient(environment: environment, logger: logger)
    )
}
