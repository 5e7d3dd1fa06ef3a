import Foundation
import FunctionsFramework
import PixelPipeCLI
import PipelineModel
import Testing
import TestSupport

/// The built `pixelpipe` binary against `ContractServer`, a scripted server speaking the jobs
/// API's contract: the cases the real api under `emulator up` cannot produce on demand — a job
/// rejected while the CLI waits, a CSV refused naming its row, an exact mix of failure reasons
/// in a job that advances one item per poll.
@Suite("CLI against a scripted contract server")
struct CLIScriptedServerTests {
    private static func csv(_ name: String, rows: Int, in directory: URL) throws -> URL {
        let file = directory.appendingPathComponent(name)
        var text = "S. No.,Product Name,Input Image Urls\n"
        for row in 1...rows { text += "\(row),Product \(row),http://images.test/\(row).jpg\n" }
        try Data(text.utf8).write(to: file)
        return file
    }

    @Test("on a terminal, --wait redraws one progress line in place, fitted to the width, then prints the summary; all succeeded exits 0")
    func terminalProgress() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Self.csv("good-products.csv", rows: 6, in: directory)
        let server = ContractServer()
        try await server.run { port in
            let run = try await CLIRun.run(["submit", file.path, "--wait", "--recipe", #"{"formats":["webp"]}"#, "--webhook", "http://127.0.0.1:9/hook",
                                            "--api", "http://127.0.0.1:\(port)"], terminalColumns: 72)
            #expect(run.status == 0, "stderr: \(run.stderr)")
            let frames = run.frames
            // queued, running 0/6 … 6/6: several distinct frames, each within the width.
            #expect(Set(frames).count >= 5, "frames: \(frames)")
            for frame in frames { #expect(ProgressLine.visibleWidth(frame) <= 71, "too wide: \(frame.debugDescription)") }
            #expect(frames.contains { $0.contains("good-products.csv") && $0.contains("2.5/s") && $0.contains("ETA") })
            #expect(frames.last?.contains("100%") == true)
            #expect(frames.last?.contains("finished") == true)
            #expect(run.stdout.contains("\u{1B}[32m"), "the succeeded part of the bar is green")
            let summary = run.stdout.components(separatedBy: "\n").dropFirst()
            #expect(summary.contains { $0.hasPrefix("job 000000000000abc0 (good-products.csv): finished in 12s") })
            #expect(summary.contains("  6 images: 6 succeeded, 0 failed"))
            #expect(summary.contains("  output CSV:  http://127.0.0.1:\(port)/v1/jobs/000000000000abc0/output.csv"))
            #expect(summary.contains { $0.contains("images:      http://127.0.0.1:\(port)/files/000000000000abc0/1-1-thumb.webp") })
        }
        // The CSV went up as the form's csv part, untouched, named by its file name, after the
        // recipe and webhook fields; no token goes to a loopback API.
        let upload = try #require(server.requests.first { $0.method == "POST" })
        let parts = FormPart.parse(upload.body, contentType: upload.headers["content-type"])
        #expect(parts.map(\.name) == ["recipe", "webhookUrl", "csv"])
        #expect(parts.first?.content == Data(#"{"formats":["webp"]}"#.utf8))
        #expect(parts[1].content == Data("http://127.0.0.1:9/hook".utf8))
        #expect(parts.last?.content == (try Data(contentsOf: file)))
        #expect(parts.last?.fileName == "good-products.csv")
        #expect(parts.last?.contentType == "text/csv")
        #expect(upload.headers["authorization"] == nil)
    }

    @Test("a narrower terminal gets a narrower bar; the name goes first when there is no room")
    func widthAware() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Self.csv("good-a-rather-long-file-name-for-a-narrow-terminal.csv", rows: 3, in: directory)
        let server = ContractServer()
        try await server.run { port in
            let narrow = try await CLIRun.run(["submit", file.path, "--wait", "--api", "http://127.0.0.1:\(port)"], terminalColumns: 40)
            #expect(narrow.status == 0)
            let frames = narrow.frames.filter { $0.contains("[") }
            #expect(!frames.isEmpty)
            for frame in frames { #expect(ProgressLine.visibleWidth(frame) <= 39, "too wide: \(frame.debugDescription)") }
        }
    }

    @Test("with failures the summary groups them by reason and the exit status is 1; piped, progress is plain lines with no escape codes")
    func failuresPiped() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Self.csv("mixed.csv", rows: 7, in: directory)
        let server = ContractServer()
        try await server.run { port in
            let run = try await CLIRun.run(["submit", file.path, "--wait", "--api", "http://127.0.0.1:\(port)"])
            #expect(run.status == 1, "stderr: \(run.stderr)")
            #expect(!run.stdout.contains("\u{1B}"))
            #expect(!run.stdout.contains("\r"))
            let lines = run.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "job 000000000000abc0: queued (waiting for ingest to read mixed.csv)")
            #expect(lines.contains { $0.hasPrefix("job 000000000000abc0: finished_with_errors 7/7 (100%), 4 succeeded, 3 failed") })
            #expect(lines.contains("  7 images: 4 succeeded, 3 failed"))
            #expect(lines.contains("  failures by reason:"))
            #expect(lines.contains("    2 × the source answered HTTP 404  (row 3 image 1, row 6 image 1)"))
            #expect(lines.contains("    1 × the product name is empty  (row 7)"))
        }
    }

    @Test("a job rejected while the CLI waits ends the wait with its reason and exit status 2")
    func rejectedMidWait() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Self.csv("rejected.csv", rows: 5, in: directory)
        let server = ContractServer()
        try await server.run { port in
            let run = try await CLIRun.run(["submit", file.path, "--wait", "--api", "http://127.0.0.1:\(port)"], terminalColumns: 80)
            #expect(run.status == 2)
            #expect(run.stdout.contains("job 000000000000abc0 (rejected.csv): rejected"))
            #expect(run.stdout.contains("  rejected: the CSV was replaced while it was read"))
        }
    }

    @Test("a refused upload prints the problem as one line naming its row and header, and exits 2")
    func problemNamesTheRow() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Self.csv("badrow.csv", rows: 4, in: directory)
        let server = ContractServer()
        try await server.run { port in
            let run = try await CLIRun.run(["submit", file.path, "--api", "http://127.0.0.1:\(port)"])
            #expect(run.status == 2)
            #expect(run.stdout.isEmpty)
            #expect(run.stderr == "error: The CSV cannot be used (HTTP 400) [row 3, header \"Input Image Urls\"]: row 3: the image URL cell is empty\n")
        }
    }

    @Test("usage errors exit 2, argument-parser's own included, and --help exits 0", arguments: [
        (["submit"], Int32(2), "Missing expected argument"),
        (["jobs", "--status", "almost"], 2, "--status must be one of"),
        (["submit", "/no/such/file.csv"], 2, "error: /no/such/file.csv: no such file"),
        (["submit", "/dev/null", "--recipe", "{not json"], 2, "--recipe is not a JSON object"),
        (["status", "000000000000abc0", "--api", "ftp://example.test"], 2, "--api must be an http(s) URL"),
        (["frobnicate"], 2, "Unexpected argument 'frobnicate'"),
        (["--help"], 0, "submit"),
    ])
    func usage(arguments: [String], status: Int32, says: String) async throws {
        let run = try await CLIRun.run(arguments)
        #expect(run.status == status, "stdout: \(run.stdout) stderr: \(run.stderr)")
        #expect((run.stdout + run.stderr).contains(says), "stdout: \(run.stdout) stderr: \(run.stderr)")
    }

    @Test("results lists every item in row order, --failed only the failed ones, --download saves each output")
    func results() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Self.csv("mixed-results.csv", rows: 4, in: directory)
        let server = ContractServer()
        try await server.run { port in
            let api = ["--api", "http://127.0.0.1:\(port)"]
            let submitted = try await CLIRun.run(["submit", file.path, "--wait"] + api)
            #expect(submitted.status == 1)
            let all = try await CLIRun.run(["results", "000000000000abc0"] + api)
            #expect(all.status == 0)
            #expect(all.stdout.split(separator: "\n").map { String($0.prefix(3)) } == ["1-1", "2-1", "3-1", "4-1"])
            let failed = try await CLIRun.run(["results", "000000000000abc0", "--failed"] + api)
            #expect(failed.stdout == "3-1  failed  Product 3  http://images.test/3.jpg  http://images.test/3.jpg: the source answered HTTP 404\n4-1  failed  Product 4  -  row 4: the product name is empty\n")
            let target = directory.appendingPathComponent("out")
            let download = try await CLIRun.run(["results", "000000000000abc0", "--download", target.path, "--concurrency", "2"] + api)
            #expect(download.status == 0, "stderr: \(download.stderr)")
            let files = try FileManager.default.contentsOfDirectory(atPath: target.path).sorted()
            #expect(files == ["1-1-large.webp", "1-1-thumb.webp", "2-1-large.webp", "2-1-thumb.webp"])
            #expect(try String(contentsOf: target.appendingPathComponent("2-1-thumb.webp"), encoding: .utf8) == "image bytes of 2-1-thumb.webp")
            #expect(download.stdout.hasSuffix("downloaded 4 outputs (116 bytes) into \(target.path)\n"))
        }
    }

    @Test("cancel answers the cancelled job; cancelling a final job is a conflict (exit 2); an unknown job is 404 (exit 2)")
    func cancel() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Self.csv("good.csv", rows: 3, in: directory)
        let server = ContractServer()
        try await server.run { port in
            let api = ["--api", "http://127.0.0.1:\(port)"]
            #expect(try await CLIRun.run(["submit", file.path] + api).status == 0)
            let cancelled = try await CLIRun.run(["cancel", "000000000000abc0"] + api)
            #expect(cancelled.status == 0)
            #expect(cancelled.stdout.hasPrefix("job 000000000000abc0: cancelled"))
            let again = try await CLIRun.run(["cancel", "000000000000abc0"] + api)
            #expect(again.status == 2)
            #expect(again.stderr.contains("(HTTP 409)"))
            let unknown = try await CLIRun.run(["status", "ffffffffffffffff"] + api)
            #expect(unknown.status == 2)
            #expect(unknown.stderr == "error: No such job (HTTP 404): there is no job ffffffffffffffff\n")
        }
    }

    @Test("no API answering is one line saying where it looked, exit 1")
    func unreachable() async throws {
        let port = LoopbackPort.free()
        let run = try await CLIRun.run(["jobs", "--api", "http://127.0.0.1:\(port)"])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("error: no answer from the jobs API at http://127.0.0.1:\(port):"))
        #expect(run.stderr.split(separator: "\n").count == 1)
    }
}
