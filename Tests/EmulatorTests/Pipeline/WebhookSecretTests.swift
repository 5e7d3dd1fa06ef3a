import Foundation
import GoogleCloud
import Testing
import TestSupport

/// Signed by default: with no `WEBHOOK_SECRET` configured, `emulator up` generates one in the
/// data directory (owner-only), says where it is, keeps it across restarts and gives it to the
/// stages; it never prints the key itself.
@Suite("emulator up: the webhook secret")
struct WebhookSecretTests {
    @Test("a secret is generated once into DATA/secrets/webhook-secret (0600 in a 0700 folder), given to teardown, kept across restarts and never logged", .timeLimit(.minutes(2)))
    func generatedSecret() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-secret-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data")
        let file = data.appendingPathComponent("secrets/webhook-secret")

        func start() async throws -> (ChildProcess, String) {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let pipeline = try PipelineFile.writeUnpinned(to: directory.appendingPathComponent("pipeline.yaml"))
            let emulator = try ChildProcess("emulator", arguments: ["up", "--port", "0", "--data-dir", data.path, "--pipeline", pipeline.path, "--log-format", "json"])
            let base = try await emulator.logField("pixelpipe.url", ofMessage: "emulator listening")
            _ = try await emulator.line(where: { $0.contains(#""message":"pipeline ready""#) }, within: .seconds(60), "the pipeline to be ready")
            return (emulator, base)
        }

        let (first, base) = try await start()
        let secret = try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.count == 64 && secret.allSatisfy(\.isHexDigit))
        #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.attributesOfItem(atPath: file.deletingLastPathComponent().path)[.posixPermissions] as? Int == 0o700)
        let told = try #require(first.lines.first { $0.contains("webhook secret generated") })
        #expect(told.contains(file.path))
        #expect(!first.lines.contains { $0.contains(secret) }, "the key itself is never logged")

        // Teardown runs with it.
        let status = try JSONSerialization.jsonObject(with: try await HTTPClient().get(base + "/_emulator/status").body) as? [String: Any]
        let teardown = try #require((status?["services"] as? [[String: Any]])?.first { $0["name"] as? String == "teardown" })
        let pid = try #require(teardown["pid"] as? Int)
        let environment = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ")).split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        #expect(environment.contains("WEBHOOK_SECRET=\(secret)"))
        first.send(SIGTERM)
        #expect(try await first.exitStatus() == 0)

        let (second, _) = try await start()
        #expect(second.lines.contains { $0.contains("webhook secret from the data directory") })
        #expect(try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == secret)
        second.send(SIGTERM)
        #expect(try await second.exitStatus() == 0)
    }
}
