import Runtime
import Logging

/// Ingest's CloudEvent handler: `google.cloud.storage.object.v1.finalized` on the uploads bucket.
struct IngestFunction: CloudEventFunction {
    let ingestor: Ingestor

    func handle(_ event: CloudEvent<StorageObject>, context: InvocationContext) async throws {
        guard event.type == "google.cloud.storage.object.v1.finalized" else {
            context.logger.debug("event type ignored", metadata: ["pixelpipe.event.type": .string(event.type)])
            return
        }
        _ = try await ingestor.ingest(event.data, logger: context.logger)
    }
}
