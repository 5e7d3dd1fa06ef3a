import Foundation
import PipelineModel
import Testing
import TestSupport

/// The web console in a real browser: Debian's `chromium` and `chromium-driver`, driven by
/// selenium (PyPI, pinned in scripts/test, installed into `.build-venv`) through
/// `Tests/Fixtures/console/console_test.py`, against the api service of a running pipeline.
/// Screenshots of every step are kept in `.build/test-artifacts/console/`. Skipped, saying so,
/// when selenium or Chromium is missing, unless `PIXELPIPE_REQUIRE_PYTHON_CLIENTS=1`
/// (scripts/test sets it), where their absence fails.
@Suite("Pipeline end to end: the web console in Chromium (selenium)", .serialized, .sharedPipeline(),
       .enabled(if: ConsoleBrowser.isInstalled || ConsoleBrowser.isRequired, "selenium or chromium is not installed (scripts/setup-system.sh and scripts/test install them)"))
struct PipelineEndToEndConsoleTests {
    @Test("sign up, sign out, sign in; a CSV dropped, finished in the list, its page with failures and thumbnails; one image before and after; sign out")
    func console() async throws {
        guard ConsoleBrowser.isInstalled else {
            throw TestFailure("PIXELPIPE_REQUIRE_PYTHON_CLIENTS=1 but \(ConsoleBrowser.missing.joined(separator: ", ")) missing: run scripts/setup-system.sh and scripts/test, which install chromium, chromium-driver and selenium==\(ConsoleBrowser.seleniumVersion)")
        }
        let pipeline = try SharedPipeline.harness()
        let api = try JobsAPI(pipeline, user: nil)
        let images = pipeline.images
        // Six images of four products, one of which is missing on the image host.
        images.script(7, .status(404))
        let csv = "S. No.,Product Name,Input Image Urls\r\n"
            + "1,Canvas Tote Bag,\"\(images.url(1)),\(images.url(2))\"\r\n"
            + "2,\"Ceramic Mug, 350 ml\",\(images.url(3))\r\n"
            + "3,Desk Lamp,\"\(images.url(4)),\(images.url(7))\"\r\n"
            + "4,Wool Scarf,\(images.url(5))\r\n"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-console-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let csvFile = directory.appendingPathComponent("products.csv")
        try Data(csv.utf8).write(to: csvFile)
        let imageFile = directory.appendingPathComponent("lamp.jpg")
        try await TestImages.shared.image(6).write(to: imageFile)
        let artifacts = ConsoleBrowser.artifacts
        try? FileManager.default.removeItem(at: artifacts)

        let started = ContinuousClock.now
        let child = try ChildProcess(executable: ConsoleBrowser.python, arguments: [
            ConsoleBrowser.script.path,
            "--base-url", api.baseURL,
            "--csv", csvFile.path,
            "--image", imageFile.path,
            "--succeeded", "5",
            "--failed-url", images.url(7),
            "--artifacts", artifacts.path,
            "--timeout", "90",
        ], environment: ["HOME": directory.path, "SE_OFFLINE": "true"])
        let status = try await child.exitStatus(within: .seconds(600))
        try await child.outputEnded()
        let output = child.lines.joined(separator: "\n")
        print(output)
        print("console test: \(ContinuousClock.now - started) including Chromium's start; screenshots in \(artifacts.path)")
        #expect(status == 0, "the console test failed:\n\(output.suffix(8000))\n\(pipeline.emulator.recentLog(40))")
        #expect(FileManager.default.fileExists(atPath: artifacts.appendingPathComponent("07-job.png").path), "no screenshot of the job page")
    }
}

/// Where the browser test's tools are.
enum ConsoleBrowser {
    /// The selenium scripts/test installs.
    static let seleniumVersion = "4.51.0"

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `.build-venv/bin/python` of this checkout.
    static var python: URL { repositoryRoot.appendingPathComponent(".build-venv/bin/python") }

    /// The browser script.
    static var script: URL { repositoryRoot.appendingPathComponent("Tests/Fixtures/console/console_test.py") }

    /// Where the screenshots are kept.
    static var artifacts: URL { repositoryRoot.appendingPathComponent(".build/test-artifacts/console") }

    /// What of selenium, Chromium and its driver is not installed.
    static var missing: [String] {
        var missing: [String] = []
        let libraries = repositoryRoot.appendingPathComponent(".build-venv/lib")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: libraries.path)) ?? []
        if !versions.contains(where: { FileManager.default.fileExists(atPath: libraries.appendingPathComponent("\($0)/site-packages/selenium").path) }) {
            missing.append("selenium in .build-venv")
        }
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: tool) {
            missing.append(tool)
        }
        return missing
    }

    static var isInstalled: Bool { missing.isEmpty }

    /// Whether a missing tool is a failure rather than a skip.
    static var isRequired: Bool { ProcessInfo.processInfo.environment["PIXELPIPE_REQUIRE_PYTHON_CLIENTS"] == "1" }
}
