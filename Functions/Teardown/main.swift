import Runtime

/// Teardown: finalizes a job when its last image is done or its deadline passes.
await FunctionMain.run(name: "teardown") { _, environment, logger in
    TeardownService.makeFunction(
        configuration: try TeardownConfiguration(environment: environment),
        api: GoogleAPIClient(environment: environment, logger: logger)
    )
}
