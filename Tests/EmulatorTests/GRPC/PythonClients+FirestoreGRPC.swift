extension PythonClients {
    /// google-cloud-firestore, with its gRPC transport (the default).
    static let firestoreGRPCInstalled = installed("google/cloud/firestore_v1/services/firestore/transports/grpc.py")
}
