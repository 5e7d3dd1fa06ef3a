import FunctionsFramework
import GoogleCloud
import HTTPTypes
import Logging
import PipelineModel
import PixelPipeCore

/// Builds the teardown binary's function from its configuration: the control-queue task
/// handler and the direct `POST /jobs/{id}/finalize` route over one finalizer.
public enum TeardownService {
    /// The function `main` serves, configured from the environment.
    public static func definition(environment: EnvironmentValues, logger: Logger) throws -> FunctionDefinition {
        makeFunction(
            configuration: try TeardownConfiguration(environment: environment), api: GoogleAPIClient(environment: environment, logger: logger),
            metrics: try StageMetrics(stage: "teardown", environment: environment)
        )
    }

    static func makeFunction(configuration: TeardownConfiguration, api: GoogleAPIClient, metrics: StageMetrics = StageMetrics(stage: "teardown")) -> FunctionDefinition {
        var finalizer = JobFinalizer(clients: PipelineClients(api: api, configuration: configuration.pipeline), configuration: configuration)
        finalizer.metrics = metrics
        var function = FunctionDefinition(name: "teardown", cloudTask: TeardownFunction(finalizer: finalizer))
        function.route(.post, "/jobs/{id}/finalize", FinalizeRoute(finalizer: finalizer))
        return function
    }
}
