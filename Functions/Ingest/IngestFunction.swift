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
        // Eventarc filters Storage events by bucket only, so in the cloud every upload arrives
        // here; only CSVs are jobs (locally the trigger's `suffix: .csv` already filters).
        guard event.data.name.lowercased().hasSuffix(".csv") else {
            context.logger.debug("not a CSV; ignored", metadata: ["pixelpipe.object": .string(event.data.name)])
            return
        }
        _ = try await ingestor.ingest(event.data, logger: context.logger)
    }
}
