import Foundation
import Testing
import TestSupport

/// The gcloud CLI pointed at one emulator: a throwaway configuration directory, credentials
/// disabled, the Storage JSON and XML, Pub/Sub and Cloud Tasks endpoints overridden to the
/// emulator, and nothing that
/// would reach Google (metadata server checks, usage reporting, update checks).
struct GcloudCLI: Sendable {
    static let binary = URL(fileURLWithPath: "/usr/bin/gcloud")
    static var installed: Bool { FileManager.default.isExecutableFile(atPath: binary.path) }
    /// Whether a missing gcloud fails the suite instead of skipping it.
    static let required = ProcessInfo.processInfo.environment["PIXELPIPE_REQUIRE_PYTHON_CLIENTS"] == "1"

    var environment: [String: String]
    let directory: URL

    /// The environment for an emulator at `baseURL` (`http://127.0.0.1:PORT`); `directory`
    /// holds gcloud's configuration and the files a test moves.
    init(baseURL: String, project: String = "demo", directory: URL) {
        self.directory = directory
        environment = [
            "PATH": "/usr/bin:/bin",
            "HOME": directory.path,
            "CLOUDSDK_CONFIG": directory.appendingPathComponent("gcloud-config").path,
            "CLOUDSDK_CORE_PROJECT": project,
            "CLOUDSDK_AUTH_DISABLE_CREDENTIALS": "true",
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE": "\(baseURL)/storage/v1/",
            "CLOUDSDK_STORAGE_GS_XML_ENDPOINT_URL": baseURL,
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_PUBSUB": baseURL + "/",
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDTASKS": baseURL + "/",
            "CLOUDSDK_STORAGE_PARALLEL_COMPOSITE_UPLOAD_ENABLED": "False",
            "CLOUDSDK_CORE_CHECK_GCE_METADATA": "false",
            "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING": "true",
            "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "true",
            "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
            "CLOUDSDK_CORE_SHOW_STRUCTURED_LOGS": "never",
            "NO_PROXY": "127.0.0.1,localhost",
        ]
    }

    /// What one gcloud run printed.
    struct Result: Sendable {
        var status: Int32
        var stdout: Data
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
        var summary: String { "exit \(status)\nstdout: \(text.prefix(2000))\nstderr: \(stderr.suffix(4000))" }
    }

    /// Runs `gcloud arguments` (or another SDK tool, `executable`: gsutil) with `stdin` (a file)
    /// and stdout/stderr in files, killed after `timeout`.
    func run(_ arguments: [String], stdin: URL? = nil, timeout: Duration = .seconds(90), executable: URL = binary) async throws -> Result {
        let id = UUID().uuidString
        let outFile = directory.appendingPathComponent("out-\(id)")
        let errFile = directory.appendingPathComponent("err-\(id)")
        FileManager.default.createFile(atPath: outFile.path, contents: nil)
        FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outFile)
            try? FileManager.default.removeItem(at: errFile)
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: outFile)
        process.standardError = try FileHandle(forWritingTo: errFile)
        process.standardInput = try stdin.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                let stderr = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
                throw TestFailure("\(executable.lastPathComponent) \(arguments.joined(separator: " ")) did not finish within \(timeout):\n\(stderr.suffix(4000))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return Result(status: process.terminationStatus, stdout: (try? Data(contentsOf: outFile)) ?? Data(),
                      stderr: (try? String(contentsOf: errFile, encoding: .utf8)) ?? "")
    }

    /// Runs and expects success, returning the result.
    @discardableResult
    func succeed(_ arguments: [String], stdin: URL? = nil, timeout: Duration = .seconds(90),
                 sourceLocation: SourceLocation = #_sourceLocation) async throws -> Result {
        let result = try await run(arguments, stdin: stdin, timeout: timeout)
        #expect(result.status == 0, "gcloud \(arguments.joined(separator: " ")):\n\(result.summary)", sourceLocation: sourceLocation)
        return result
    }
}
