import Foundation
import FunctionsFramework
import GoogleCloud
import HTTPTypes
import Imaging
import Logging
import PipelineModel
import PixelPipeCore

/// Builds the process function from its configuration: the Cloud Task handler for image tasks,
/// plus `POST /process` and `GET /jobs/{id}`. Tests and `main` both go through here.
public enum ProcessFunction {
    /// The function `main` serves, configured from the environment.
    public static func definition(environment: EnvironmentValues, logger: Logger) throws -> FunctionDefinition {
        try makeFunction(
            configuration: ProcessConfiguration(environment: environment), api: GoogleAPIClient(environment: environment, logger: logger),
            metrics: StageMetrics(stage: "process", environment: environment), logger: logger
        )
    }

    /// The function definition `FunctionMain` serves.
    static func makeFunction(
        configuration: ProcessConfiguration, api: GoogleAPIClient, metrics: StageMetrics = StageMetrics(stage: "process"), logger: Logger
    ) throws -> FunctionDefinition {
        let pipeline = configuration.pipeline
        let clients = PipelineClients(api: api, configuration: pipeline)
        let processor = ImageProcessor(
            downloader: SafeDownloader(policy: configuration.download),
            engine: try ImagingEngine(configuration: configuration.imaging),
            store: OutputStore(storage: clients.storage, bucket: pipeline.processedBucket, links: pipeline.links, concurrency: configuration.uploadConcurrency),
            uploads: UploadedImageReader(storage: clients.storage, bucket: pipeline.uploadsBucket, maxBytes: configuration.download.maxBytes)
        )
        var function = FunctionDefinition(
            name: "process",
            cloudTask: ImageTaskHandler(processor: processor, clients: clients, configuration: pipeline, metrics: metrics)
        )
        function.route(.post, "/process", DirectProcessRoute(processor: processor, defaultRecipe: pipeline.recipe, budget: pipeline.outputBudget))
        function.route(.get, "/jobs/{id}", JobStatusRoute(jobs: JobStore(firestore: clients.firestore), processedBucket: pipeline.processedBucket, links: pipeline.links))
        logger.debug("process configured", metadata: [
            "pixelpipe.bucket": .string(pipeline.processedBucket),
            "pixelpipe.max_attempts": .stringConvertible(pipeline.imageQueue.maxAttempts),
        ])
        return function
    }
}
