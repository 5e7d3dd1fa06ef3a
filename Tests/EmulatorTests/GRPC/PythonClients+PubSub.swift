import Foundation

extension PythonClients {
    /// Whether `.build-venv` holds Google's Pub/Sub client library (google-cloud-pubsub).
    static let pubSubInstalled: Bool = {
        let fileManager = FileManager.default
        let lib = repository.appendingPathComponent(".build-venv/lib")
        guard fileManager.isExecutableFile(atPath: python.path) else { return false }
        return ((try? fileManager.contentsOfDirectory(atPath: lib.path)) ?? []).contains { version in
            fileManager.fileExists(atPath: lib.appendingPathComponent("\(version)/site-packages/google/cloud/pubsub_v1/subscriber/client.py").path)
        }
    }()
}
