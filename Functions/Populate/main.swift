import Runtime

await FunctionMain.run(name: "populate") { _, environment, _ in
    let configuration = try PipelineConfiguration(environment: environment)
    let clients = PipelineClients(api: GoogleAPIClient(environment: environment), configuration: configuration)
    return FunctionDefinition(name: "populate", pubSubPush: PopulateFunction(populator: ShardPopulator(configuration: configuration, clients: clients)))
}
