import FunctionsFramework
import ProcessStage

/// Process: one image per Cloud Task, plus the direct `POST /process` API and `GET /jobs/{id}`.
await FunctionMain.run(name: "process") { _, environment, logger in
    try ProcessFunction.definition(environment: environment, logger: logger)
}
