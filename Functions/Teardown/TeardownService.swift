import HTTPTypes
import Runtime

/// Builds the teardown binary's function from its configuration: the control-queue task
/// handler and the direct `POST /jobs/{id}/finalize` route over one finalizer.
enum TeardownService {
    static func makeFunction(configuration: TeardownConfiguration, api: GoogleAPIClient) -> FunctionDefinition {
        let finalizer = JobFinalizer(clients: PipelineClients(api: api, configuration: configuration.pipeline), configuration: configuration)
        var function = FunctionDefinition(name: "teardown", cloudTask: TeardownFunction(finalizer: finalizer))
        function.route(.post, "/jobs/{id}/finalize", FinalizeRoute(finalizer: finalizer))
        return function
    }
}
