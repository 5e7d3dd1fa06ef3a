import Foundation
import FunctionsFramework
import PixelPipeCLI
import Testing
import TestSupport

/// The built `pixelpipe` binary refusing what it is given before any API is involved, and
/// saying so when no API answers.
@Suite("CLI usage")
struct CLIUsageTests {
    @Test("usage errors exit 2, argument-parser's own included, and --help exits 0", arguments: [
        (["submit"], Int32(2), "Missing expected argument"),
        (["jobs", "--status", "almost"], 2, "--status must be one of"),
        (["submit", "/no/such/file.csv"], 2, "error: /no/such/file.csv: no such file"),
        (["submit", "/dev/null", "--recipe", "{not json"], 2, "--recipe is not a JSON object"),
        (["status", "000000000000abc0", "--api", "ftp://example.test"], 2, "--api must be an http(s) URL"),
        (["frobnicate"], 2, "Unexpected argument 'frobnicate'"),
        (["login"], 2, "Missing expected argument '--email <email>'"),
        (["signup", "--email", "a@example.com", "--password", "hunter22"], 2, "--password is not accepted"),
        (["--help"], 0, "submit"),
    ])
    func usage(arguments: [String], status: Int32, says: String) async throws {
        let run = try await CLIRun.run(arguments)
        #expect(run.status == status, "stdout: \(run.stdout) stderr: \(run.stderr)")
        #expect((run.stdout + run.stderr).contains(says), "stdout: \(run.stdout) stderr: \(run.stderr)")
        // A password given as an argument is refused without being repeated.
        #expect(!(run.stdout + run.stderr).contains("hunter22"))
    }

    @Test("no API answering is one line saying where it looked, exit 1")
    func unreachable() async throws {
        let port = LoopbackPort.free()
        let run = try await CLIRun.run(["jobs", "--api", "http://127.0.0.1:\(port)"], environment: ["PIXELPIPE_TOKEN": "any-token"])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("error: no answer from the jobs API at http://127.0.0.1:\(port):"))
        #expect(run.stderr.split(separator: "\n").count == 1)
    }
}
