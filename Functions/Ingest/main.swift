import Runtime

await FunctionMain.run(name: "ingest") { _, environment, _ in
    let configuration = try PipelineConfiguration(environment: environment)
    let clients = PipelineClients(api: GoogleAPIClient(environment: environment), configuration: configuration)
    return FunctionDefinition(name: "ingest", cloudEvent: IngestFunction(ingestor: Ingestor(configuration: configuration, clients: clients)))
}
