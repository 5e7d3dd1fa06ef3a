import Foundation
import Logging
import Testing
import TestSupport

@testable import Emulator

/// Passwords and tokens stay secret: not in the emulator's log (captured at trace level), not in
/// any file of the data directory (the database keeps a bcrypt hash and refresh-token digests).
@Suite("Identity secrets")
struct IdentitySecretsTests {
    @Test("no password, ID token or refresh token appears in the emulator's log or in the data directory's files")
    func noSecretsLeak() async throws {
        let lines = Recorder<String>()
        var logger = Logger(label: "identity-secrets") { _ in CapturingLogHandler(lines: lines) }
        logger.logLevel = .trace
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("identity-secrets-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("data")
        let passwords = ["first-Secret-4711", "second-Secret-4712", "wrong-Secret-4713"]
        let secrets = try await TestEmulator.run(dataDirectory: directory, logger: logger) { emulator in
            let client = IdentityTestClient(emulator: emulator)
            let ada = try await client.signUp("ada@example.com", passwords[0])
            let wrong = try await client.call("signInWithPassword", ["email": "ada@example.com", "password": passwords[2]])
            #expect(wrong.identityError == "400 INVALID_PASSWORD")
            let updated = try await client.call("update", ["idToken": ada["idToken"]!, "password": passwords[1]])
            #expect(updated.status == 200, "\(updated.text)")
            let refreshed = try await client.refresh(updated.json["refreshToken"] as! String)
            #expect(refreshed.status == 200, "\(refreshed.text)")
            // A request the emulator rejects with a logged server-side error would carry the body; this one is malformed JSON.
            _ = try await emulator.send("POST", "/identitytoolkit.googleapis.com/v1/accounts:signUp", json: #"{"password":"\#(passwords[0])""#)
            return [ada["idToken"] as! String, ada["refreshToken"] as! String, updated.json["idToken"] as! String,
                    updated.json["refreshToken"] as! String, refreshed.json["id_token"] as! String]
        }
        let log = lines.all.joined(separator: "\n")
        #expect(!lines.all.isEmpty, "the emulator's log was not captured")
        var files: [(path: String, bytes: Data)] = []
        let enumerator = try #require(FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]))
        for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            files.append((url.path, try Data(contentsOf: url)))
        }
        #expect(files.contains { $0.path.hasSuffix("emulator.sqlite") })
        for secret in passwords + secrets {
            #expect(!log.contains(secret), "a secret (\(secret.prefix(6))…) is in the log")
            for file in files {
                #expect(file.bytes.range(of: Data(secret.utf8)) == nil, "a secret (\(secret.prefix(6))…) is in \(file.path)")
            }
        }
    }
}

/// Keeps every log line (message and metadata) the emulator writes.
struct CapturingLogHandler: LogHandler {
    let lines: Recorder<String>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.record("\(event.level) \(event.message) \(metadata.merging(event.metadata ?? [:]) { $1 }) \(event.error.map { "\($0)" } ?? "")")
    }
}
