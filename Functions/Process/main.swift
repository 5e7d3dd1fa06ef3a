import Runtime

/// Process: one image per Cloud Task, plus the direct `POST /process` API and `GET /jobs/{id}`.
await FunctionMain.run(name: "process") { _, environment, logger in
    let configuration = try ProcessConfiguration(environment: environment)
    return try ProcessStage.makeFunction(configuration: configuration, api: GoogleAPIClient(environment: environment, logger: logger), logger: logger)
}
