import Foundation
import NIOCore
import NIOPosix
import Testing
import TestSupport

/// `--https-port`: the REST APIs over TLS with a certificate the data directory keeps, which
/// curl and gcloud trust when told to, and nothing else does.
@Suite("HTTPS listener")
struct HTTPSListenerTests {
    @Test("curl trusts the kept certificate for 127.0.0.1 and localhost and refuses without it; the key is owner-only and survives a restart", .timeLimit(.minutes(2)))
    func curl() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("https-\(UUID().uuidString)/data")
        defer { try? FileManager.default.removeItem(at: data.deletingLastPathComponent()) }
        let port = try await Self.freePort()
        let certificate = data.appendingPathComponent("secrets/tls-cert.pem")
        let first = try await TestEmulator.run(dataDirectory: data, httpsPort: port) { _ in
            for host in ["127.0.0.1", "localhost"] {
                let trusted = try await Self.curl(["--cacert", certificate.path, "https://\(host):\(port)/healthz"])
                #expect(trusted.status == 0 && trusted.output == "ok\n", "\(host): \(trusted)")
            }
            let untrusted = try await Self.curl(["https://127.0.0.1:\(port)/healthz"])
            #expect(untrusted.status == 60, "curl without the certificate: \(untrusted)")  // 60: peer certificate cannot be authenticated
            let api = try await Self.curl(["--cacert", certificate.path, "-X", "PUT", "-H", "Content-Type: application/json", "-d", "{}",
                                           "https://127.0.0.1:\(port)/v1/projects/tls/topics/over-https"])
            #expect(api.status == 0 && api.output.contains(#""name":"projects/tls/topics/over-https""#), "\(api)")
            return try String(contentsOf: certificate, encoding: .utf8)
        }
        for name in ["tls-cert.pem", "tls-key.pem"] {
            let mode = try FileManager.default.attributesOfItem(atPath: data.appendingPathComponent("secrets/\(name)").path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name) mode \(String(mode ?? 0, radix: 8))")
        }
        let second = try await TestEmulator.run(dataDirectory: data, httpsPort: port) { _ in
            let again = try await Self.curl(["--cacert", certificate.path, "https://127.0.0.1:\(port)/healthz"])
            #expect(again.status == 0)
            return try String(contentsOf: certificate, encoding: .utf8)
        }
        #expect(first == second)
    }

    @Test("gcloud storage over HTTPS with core/custom_ca_certs_file: buckets create, cp up, cat", .timeLimit(.minutes(3)),
          .enabled(if: GcloudCLI.installed || GcloudCLI.required, "SKIPPED LOUDLY: gcloud is not installed"))
    func gcloudStorage() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("https-gcloud-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        let port = try await Self.freePort()
        try await TestEmulator.run(dataDirectory: data, httpsPort: port) { _ in
            let work = root.appendingPathComponent("gcloud")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            var gcloud = GcloudCLI(baseURL: "https://127.0.0.1:\(port)", directory: work)
            gcloud.environment["CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE"] = data.appendingPathComponent("secrets/tls-cert.pem").path
            let made = try await gcloud.run(["storage", "buckets", "create", "gs://over-tls"])
            #expect(made.status == 0, "\(made.summary)")
            let file = work.appendingPathComponent("hello.txt")
            try Data("hello over TLS\n".utf8).write(to: file)
            let copied = try await gcloud.run(["storage", "cp", file.path, "gs://over-tls/hello.txt"])
            #expect(copied.status == 0, "\(copied.summary)")
            let shown = try await gcloud.run(["storage", "cat", "gs://over-tls/hello.txt"])
            #expect(shown.status == 0 && shown.text == "hello over TLS\n", "\(shown.summary)")
        }
    }

    @Test("gsutil, which speaks only HTTPS to the JSON API, over the HTTPS listener: ls, cp up (small and a resumable 10 MB), cp down, cat, rm", .timeLimit(.minutes(4)),
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/gsutil") || GcloudCLI.required, "SKIPPED LOUDLY: gsutil is not installed"))
    func gsutil() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("https-gsutil-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        let port = try await Self.freePort()
        try await TestEmulator.run(dataDirectory: data, httpsPort: port) { emulator in
            #expect(try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"gsutil-bucket"}"#).status == 200)
            let work = root.appendingPathComponent("gsutil")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            let certificate = data.appendingPathComponent("secrets/tls-cert.pem").path
            // gsutil reaches the JSON API at gs_json_host:gs_json_port over HTTPS only; no retries,
            // so a regression fails at once rather than after gsutil's backoff.
            let boto = work.appendingPathComponent("boto")
            try Data("""
                [Credentials]
                gs_json_host = 127.0.0.1
                gs_json_port = \(port)
                gs_host = 127.0.0.1
                gs_port = \(port)
                [Boto]
                ca_certificates_file = \(certificate)
                num_retries = 0
                [GSUtil]
                prefer_api = json
                default_project_id = demo

                """.utf8).write(to: boto)
            var gsutil = GcloudCLI(baseURL: "https://127.0.0.1:\(port)", directory: work)
            gsutil.environment["BOTO_CONFIG"] = boto.path
            gsutil.environment["CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE"] = certificate
            let small = work.appendingPathComponent("small.txt")
            try Data("hello from gsutil\n".utf8).write(to: small)
            let large = work.appendingPathComponent("large.bin")
            try Data((0..<(10 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }).write(to: large)
            for arguments in [["cp", small.path, "gs://gsutil-bucket/small.txt"], ["cp", large.path, "gs://gsutil-bucket/large.bin"],
                              ["cp", "gs://gsutil-bucket/large.bin", work.appendingPathComponent("large.back").path]] {
                let result = try await gsutil.run(arguments, executable: URL(fileURLWithPath: "/usr/bin/gsutil"))
                #expect(result.status == 0, "gsutil \(arguments.joined(separator: " ")): \(result.summary)")
            }
            #expect(FileManager.default.contents(atPath: work.appendingPathComponent("large.back").path) == FileManager.default.contents(atPath: large.path))
            let listed = try await gsutil.run(["ls", "gs://gsutil-bucket"], executable: URL(fileURLWithPath: "/usr/bin/gsutil"))
            #expect(listed.text == "gs://gsutil-bucket/large.bin\ngs://gsutil-bucket/small.txt\n", "\(listed.summary)")
            let shown = try await gsutil.run(["cat", "gs://gsutil-bucket/small.txt"], executable: URL(fileURLWithPath: "/usr/bin/gsutil"))
            #expect(shown.text == "hello from gsutil\n", "\(shown.summary)")
            let removed = try await gsutil.run(["rm", "gs://gsutil-bucket/small.txt"], executable: URL(fileURLWithPath: "/usr/bin/gsutil"))
            #expect(removed.status == 0, "\(removed.summary)")
            #expect(try await emulator.send("GET", "/storage/v1/b/gsutil-bucket/o/small.txt").status == 404)
        }
    }

    /// A loopback port free at the moment of asking.
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    static func curl(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let child = try ChildProcess(executable: URL(fileURLWithPath: "/usr/bin/curl"), arguments: ["-sS", "--max-time", "10"] + arguments)
        let status = try await child.exitStatus(within: .seconds(30))
        try await child.outputEnded()
        return (status, child.lines.map { $0 + "\n" }.joined())
    }
}
