import FunctionsFramework
import TeardownStage

/// Teardown: finalizes a job when its last image is done or its deadline passes.
await FunctionMain.run(name: "teardown") { _, environment, logger in
    try TeardownService.definition(environment: environment, logger: logger)
}
