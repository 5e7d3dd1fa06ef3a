import Foundation
import Testing
import TestSupport

@testable import Emulator

/// The gcloud CLI (`gcloud storage …`) against the emulator, unmodified: uploads of every kind
/// it makes (multipart, resumable, stdin), downloads, copies, moves, compose, recursive
/// removal, bucket label updates, and a signed URL fetched with curl. Skipped, loudly, only
/// where /usr/bin/gcloud is missing, unless `PIXELPIPE_REQUIRE_PYTHON_CLIENTS=1`.
@Suite(
    "Storage through the gcloud CLI",
    .serialized,
    .enabled(if: GcloudCLI.installed || GcloudCLI.required, "SKIPPED LOUDLY: /usr/bin/gcloud is not installed")
)
struct GcloudStorageTests {
    private func withGcloud(_ body: @Sendable (TestEmulator, GcloudCLI) async throws -> Void) async throws {
        try #require(GcloudCLI.installed, "PIXELPIPE_REQUIRE_PYTHON_CLIENTS=1 but /usr/bin/gcloud is missing")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gcloud-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await TestEmulator.run { emulator in
            let gcloud = GcloudCLI(baseURL: emulator.baseURL, directory: directory)
            try await gcloud.succeed(["storage", "buckets", "create", "gs://work"])
            try await body(emulator, gcloud)
        }
    }

    @Test("cp uploads a small file, a 20 MB file and stdin, and downloads them back byte for byte")
    func uploadAndDownload() async throws {
        try await withGcloud { _, gcloud in
            let small = gcloud.directory.appendingPathComponent("small.txt")
            try Data("hello from gcloud\n".utf8).write(to: small)
            let big = gcloud.directory.appendingPathComponent("big.bin")
            var generator = SystemRandomNumberGenerator()
            let bigBytes = Data((0..<(20 << 20) / 8).flatMap { _ in withUnsafeBytes(of: generator.next()) { Array($0) } })
            try bigBytes.write(to: big)
            let piped = gcloud.directory.appendingPathComponent("piped.csv")
            try Data("sku,url\n1,http://x/a.png\n".utf8).write(to: piped)

            try await gcloud.succeed(["storage", "cp", small.path, "gs://work/in/small.txt"])
            try await gcloud.succeed(["storage", "cp", big.path, "gs://work/in/big.bin"], timeout: .seconds(180))
            try await gcloud.succeed(["storage", "cp", "-", "gs://work/in/piped.csv"], stdin: piped)

            let listed = try await gcloud.succeed(["storage", "ls", "gs://work/in/"])
            for name in ["small.txt", "big.bin", "piped.csv"] {
                #expect(listed.text.contains("gs://work/in/\(name)"), "\(listed.summary)")
            }
            let down = gcloud.directory.appendingPathComponent("down")
            try FileManager.default.createDirectory(at: down, withIntermediateDirectories: true)
            try await gcloud.succeed(["storage", "cp", "gs://work/in/big.bin", down.appendingPathComponent("big.bin").path], timeout: .seconds(180))
            #expect(try Data(contentsOf: down.appendingPathComponent("big.bin")) == bigBytes)
            try await gcloud.succeed(["storage", "cp", "gs://work/in/small.txt", down.appendingPathComponent("small.txt").path])
            #expect(try Data(contentsOf: down.appendingPathComponent("small.txt")) == Data("hello from gcloud\n".utf8))
            let streamed = try await gcloud.succeed(["storage", "cp", "gs://work/in/piped.csv", "-"])
            #expect(streamed.text == "sku,url\n1,http://x/a.png\n")
        }
    }

    @Test("cp between objects, mv, objects compose and rm -r")
    func serverSideOperations() async throws {
        try await withGcloud { emulator, gcloud in
            let first = gcloud.directory.appendingPathComponent("a.txt")
            try Data("first,".utf8).write(to: first)
            let second = gcloud.directory.appendingPathComponent("b.txt")
            try Data("second".utf8).write(to: second)
            try await gcloud.succeed(["storage", "cp", first.path, "gs://work/parts/a.txt"])
            try await gcloud.succeed(["storage", "cp", second.path, "gs://work/parts/b.txt"])

            try await gcloud.succeed(["storage", "cp", "gs://work/parts/a.txt", "gs://work/copies/a.txt"])
            #expect(try await emulator.send("GET", "/storage/v1/b/work/o/copies%2Fa.txt?alt=media").text == "first,")
            try await gcloud.succeed(["storage", "mv", "gs://work/copies/a.txt", "gs://work/moved/a.txt"])
            #expect(try await emulator.send("GET", "/storage/v1/b/work/o/copies%2Fa.txt").status == 404)
            #expect(try await emulator.send("GET", "/storage/v1/b/work/o/moved%2Fa.txt?alt=media").text == "first,")

            try await gcloud.succeed(["storage", "objects", "compose", "gs://work/parts/a.txt", "gs://work/parts/b.txt", "gs://work/whole.txt"])
            #expect(try await emulator.send("GET", "/storage/v1/b/work/o/whole.txt?alt=media").text == "first,second")

            try await gcloud.succeed(["storage", "rm", "-r", "gs://work/parts"])
            #expect(try await emulator.send("GET", "/storage/v1/b/work/o/parts%2Fa.txt").status == 404)
            #expect(try await emulator.send("GET", "/storage/v1/b/work/o/whole.txt").status == 200)
            try await gcloud.succeed(["storage", "rm", "-r", "gs://work"])
            #expect(try await emulator.send("GET", "/storage/v1/b/work").status == 404)
        }
    }

    @Test("buckets update --update-labels is stored and shown by buckets describe")
    func bucketLabels() async throws {
        try await withGcloud { emulator, gcloud in
            try await gcloud.succeed(["storage", "buckets", "update", "gs://work", "--update-labels=env=dev,team=imaging"])
            let described = try await gcloud.succeed(["storage", "buckets", "describe", "gs://work", "--format=json"])
            let json = try JSONSerialization.jsonObject(with: described.stdout) as? [String: Any] ?? [:]
            #expect(json["labels"] as? [String: String] == ["env": "dev", "team": "imaging"], "\(described.summary)")
            try await gcloud.succeed(["storage", "buckets", "update", "gs://work", "--remove-labels=team"])
            let bucket = try await emulator.send("GET", "/storage/v1/b/work")
            #expect(bucket.json["labels"] as? [String: String] == ["env": "dev"])
        }
    }

    @Test("sign-url with the emulator's service-account key gives a URL curl can fetch; a tampered one is 403")
    func signURL() async throws {
        try await withGcloud { emulator, gcloud in
            let file = gcloud.directory.appendingPathComponent("report.csv")
            try Data("id,state\n1,done\n".utf8).write(to: file)
            try await gcloud.succeed(["storage", "cp", file.path, "gs://work/out/report.csv"])
            let key = emulator.dataDirectory.appendingPathComponent("secrets/\(StorageServiceAccount.fileName)")
            let signed = try await gcloud.succeed(["storage", "sign-url", "gs://work/out/report.csv", "--private-key-file=\(key.path)",
                                                   "--duration=10m", "--format=json"])
            let entries = try JSONSerialization.jsonObject(with: signed.stdout) as? [[String: Any]] ?? []
            let url = try #require(entries.first?["signed_url"] as? String, "\(signed.summary)")
            #expect(url.hasPrefix(emulator.baseURL + "/work/out/report.csv?"))

            let fetched = try await Self.curl(url)
            #expect(fetched.status == 200, "\(fetched.body)")
            #expect(fetched.body == "id,state\n1,done\n")
            let tampered = try await Self.curl(url.replacingOccurrences(of: "x-goog-expires=600", with: "x-goog-expires=6000"))
            #expect(tampered.status == 403, "\(tampered.body)")
            #expect(tampered.body.contains("SignatureDoesNotMatch"))
        }
    }

    /// `curl -s URL`, returning the status and body.
    private static func curl(_ url: String) async throws -> (status: Int, body: String) {
        let bodyFile = FileManager.default.temporaryDirectory.appendingPathComponent("curl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: bodyFile) }
        let child = try ChildProcess(executable: URL(fileURLWithPath: "/usr/bin/curl"),
                                     arguments: ["-s", "--max-time", "20", "-o", bodyFile.path, "-w", "%{http_code}", url])
        _ = try await child.exitStatus(within: .seconds(30))
        try await child.outputEnded()
        let body = (try? String(contentsOf: bodyFile, encoding: .utf8)) ?? ""
        return (Int(child.lines.joined()) ?? 0, body)
    }
}
