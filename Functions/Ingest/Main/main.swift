import FunctionsFramework
import IngestStage

/// Ingest: a Storage finalize event for a CSV becomes a job, its queue and its shard messages.
await FunctionMain.run(name: "ingest") { _, environment, logger in
    try IngestFunction.definition(environment: environment, logger: logger)
}
