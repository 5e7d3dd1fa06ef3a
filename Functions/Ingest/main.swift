import Runtime

/// Ingest: triggered by `google.cloud.storage.object.v1.finalized` on the uploads bucket.
/// CSV ingestion is built in the pipeline issue; until then the event is decoded and declined.
struct IngestFunction: CloudEventFunction {
    func handle(_ event: CloudEvent<StorageObject>, context: InvocationContext) async throws {
        throw InvocationError.notImplemented("ingest does not process uploads yet (gs://\(event.data.bucket)/\(event.data.name) was not ingested)")
    }
}

await FunctionMain.run(name: "ingest") { _, _ in
    FunctionDefinition(name: "ingest", cloudEvent: IngestFunction())
}
