import GoogleCloud
/// The Google API clients a stage uses, all over one `GoogleAPIClient` (endpoints from
/// `*_EMULATOR_HOST`, tokens from the metadata server otherwise).
public struct PipelineClients: Sendable {
    public let storage: StorageClient
    public let pubSub: PubSubClient
    public let tasks: CloudTasksClient
    public let firestore: FirestoreClient

    public init(api: GoogleAPIClient, configuration: PipelineConfiguration) {
        storage = StorageClient(api: api)
        pubSub = PubSubClient(api: api, project: configuration.project)
        tasks = CloudTasksClient(api: api, project: configuration.project, location: configuration.location)
        firestore = FirestoreClient(api: api, project: configuration.project)
    }
}
