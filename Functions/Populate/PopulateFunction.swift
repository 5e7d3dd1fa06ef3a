import FunctionsFramework
import GoogleCloud
import Logging
import PipelineModel
import PixelPipeCore

/// Populate's Pub/Sub push handler: one shard message per delivery.
public struct PopulateFunction: PubSubFunction {
    let populator: ShardPopulator

    public func handle(_ push: PubSubPush<ShardMessage>, context: InvocationContext) async throws {
        var logger = context.logger
        logger[metadataKey: "pixelpipe.job"] = .string(push.message.data.job.rawValue)
        logger[metadataKey: "pixelpipe.shard"] = .string("\(push.message.data.firstRow)+\(push.message.data.rows)")
        let outcome = try await populator.populate(push.message.data, publishedAt: push.message.publishTime, logger: logger)
        logger.debug("shard populated", metadata: [
            "pixelpipe.created": .stringConvertible(outcome.created), "pixelpipe.existing": .stringConvertible(outcome.existing),
            "pixelpipe.failed": .stringConvertible(outcome.failed),
        ])
    }

    /// The populate function from the environment; both task targets are required up front.
    public static func definition(environment: EnvironmentValues, logger: Logger) throws -> FunctionDefinition {
        let configuration = try PipelineConfiguration(environment: environment)
        _ = try configuration.requireProcessURL()
        _ = try configuration.requireTeardownURL()
        let clients = PipelineClients(api: GoogleAPIClient(environment: environment, logger: logger), configuration: configuration)
        var populator = ShardPopulator(configuration: configuration, clients: clients)
        populator.metrics = try StageMetrics(stage: "populate", environment: environment)
        return FunctionDefinition(name: "populate", pubSubPush: PopulateFunction(populator: populator))
    }
}
