import Foundation
import PipelineModel
import Testing
import TestSupport

/// schemathesis (PyPI, pinned in scripts/test, installed into `.build-venv`) against the
/// `/openapi.json` of the running api service: generated requests for every operation, every
/// check (`--checks all`: no 5xx, status codes, content types, headers and bodies as the
/// document says, schema-valid requests accepted, schema-violating ones refused, 405 for
/// undeclared methods), bounded in examples per operation and in time. Skipped, saying so,
/// when schemathesis is not installed, unless `PIXELPIPE_REQUIRE_PYTHON_CLIENTS=1` (scripts/test
/// sets it), where its absence fails.
@Suite("Pipeline end to end: the jobs API against its OpenAPI document (schemathesis)", .serialized, .sharedPipeline(),
       .enabled(if: Schemathesis.isInstalled || Schemathesis.isRequired, "schemathesis is not installed in .build-venv (scripts/test installs it)"))
struct PipelineEndToEndSchemathesisTests {
    @Test("every operation answers as /openapi.json says: no 5xx, every check of schemathesis passes")
    func conformance() async throws {
        guard Schemathesis.isInstalled else {
            throw TestFailure("PIXELPIPE_REQUIRE_PYTHON_CLIENTS=1 but \(Schemathesis.executable.path) does not exist: run scripts/test, which installs schemathesis==\(Schemathesis.version)")
        }
        let pipeline = try SharedPipeline.harness()
        let api = try await JobsAPI.signedIn(pipeline)
        // A job with items, so the stateful phase follows real links too.
        let csv = "S. No.,Product Name,Input Image Urls\r\n1,Lamp,\(pipeline.images.url(1))\r\n"
        let job = try JobsAPI.decode(JobResource.self, try await api.submit(csv: csv, fileName: "seed.csv"))
        _ = try await api.awaitFinal(job.id)

        let child = try ChildProcess(executable: Schemathesis.executable, arguments: [
            "--config-file", Schemathesis.configuration.path,
            "run", "\(api.baseURL)/openapi.json",
            // A signed-in user's token on every request; schemathesis's `ignored_auth` check
            // also sends requests without it, which must be 401s.
            "--header", "Authorization: Bearer \(try #require(api.user).idToken)",
            "--checks", "all",
            "--max-examples", "25",
            "--workers", "1",
            // Reproducible in CI: the same requests every run.
            "--seed", "20261126",
            "--request-timeout", "30",
            "--no-color",
        ], environment: ["HOME": FileManager.default.temporaryDirectory.path])
        let status = try await child.exitStatus(within: .seconds(300))
        try await child.outputEnded()
        let output = child.lines.joined(separator: "\n")
        print(output.split(separator: "\n").suffix(12).joined(separator: "\n"))
        #expect(status == 0, "schemathesis found failures:\n\(output.suffix(12_000))")
        #expect(output.contains(" passed"), "schemathesis ran no test case:\n\(output.suffix(4000))")
    }
}

/// Where schemathesis is and how it is run.
enum Schemathesis {
    /// The version scripts/test installs.
    static let version = "4.32.5"

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `.build-venv/bin/schemathesis` of this checkout.
    static var executable: URL { repositoryRoot.appendingPathComponent(".build-venv/bin/schemathesis") }

    /// The settings file (`Tests/Fixtures/schemathesis/jobs-api.toml`).
    static var configuration: URL { repositoryRoot.appendingPathComponent("Tests/Fixtures/schemathesis/jobs-api.toml") }

    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable.path) }

    /// Whether a missing schemathesis is a failure rather than a skip.
    static var isRequired: Bool { ProcessInfo.processInfo.environment["PIXELPIPE_REQUIRE_PYTHON_CLIENTS"] == "1" }
}
