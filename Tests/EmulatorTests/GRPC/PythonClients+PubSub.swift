extension PythonClients {
    /// Whether `.build-venv` holds Google's Pub/Sub client library (google-cloud-pubsub).
    static let pubSubInstalled = installed("google/cloud/pubsub_v1/subscriber/client.py")
}
