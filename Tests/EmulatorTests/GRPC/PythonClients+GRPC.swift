import Foundation
import Testing
import TestSupport

extension PythonClients {
    /// Whether `.build-venv` holds `package`'s module (a path under site-packages).
    static func installed(_ module: String) -> Bool {
        let fileManager = FileManager.default
        let lib = repository.appendingPathComponent(".build-venv/lib")
        guard fileManager.isExecutableFile(atPath: python.path) else { return false }
        return ((try? fileManager.contentsOfDirectory(atPath: lib.path)) ?? []).contains { version in
            fileManager.fileExists(atPath: lib.appendingPathComponent("\(version)/site-packages/\(module)").path)
        }
    }

    /// google-cloud-tasks, with its gRPC transport.
    static let tasksInstalled = installed("google/cloud/tasks_v2/services/cloud_tasks/transports/grpc.py")

    /// Runs `Tests/Fixtures/python/SCRIPT` with `arguments` and `environment`, and checks that it
    /// exits 0, printed `ok CHECK` for each of `checks` and `ALL OK` last.
    static func runCheckScript(_ script: String, arguments: [String], environment: [String: String] = [:],
                               checks: [String], within: Duration = .seconds(120)) async throws {
        let path = repository.appendingPathComponent("Tests/Fixtures/python/\(script)")
        let child = try ChildProcess(executable: python, arguments: [path.path] + arguments, environment: environment)
        let status = try await child.exitStatus(within: within)
        try await child.outputEnded()
        let output = child.lines.joined(separator: "\n")
        #expect(status == 0, "\(output)")
        for check in checks {
            #expect(child.lines.contains { $0.hasPrefix("ok \(check): ") }, "no 'ok \(check)' in:\n\(output)")
        }
        #expect(child.lines.last == "ALL OK", "\(output)")
    }
}
