import FunctionsFramework
import GoogleCloud
import Logging
import PipelineModel
import PixelPipeCore

/// Ingest's CloudEvent handler: `google.cloud.storage.object.v1.finalized` on the uploads bucket.
public struct IngestFunction: CloudEventFunction {
    let ingestor: Ingestor

    public func handle(_ event: CloudEvent<StorageObject>, context: InvocationContext) async throws {
        guard event.type == "google.cloud.storage.object.v1.finalized" else {
            context.logger.debug("event type ignored", metadata: ["pixelpipe.event.type": .string(event.type)])
            return
        }
        // Outputs land in another bucket; an event from anywhere else (a mis-wired trigger) must
        // not turn an output CSV into a new job.
        guard event.data.bucket == ingestor.configuration.uploadsBucket else {
            context.logger.warning("event for another bucket ignored", metadata: ["pixelpipe.object": .string("gs://\(event.data.bucket)/\(event.data.name)")])
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

    /// The ingest function from the environment; the teardown URL is required up front, since
    /// the watchdog of every job is a task sent there.
    public static func definition(environment: EnvironmentValues, logger: Logger) throws -> FunctionDefinition {
        let configuration = try PipelineConfiguration(environment: environment)
        _ = try configuration.requireTeardownURL()
        let clients = PipelineClients(api: GoogleAPIClient(environment: environment, logger: logger), configuration: configuration)
        var ingestor = Ingestor(configuration: configuration, clients: clients)
        ingestor.metrics = try StageMetrics(stage: "ingest", environment: environment)
        return FunctionDefinition(name: "ingest", cloudEvent: IngestFunction(ingestor: ingestor))
    }
}
