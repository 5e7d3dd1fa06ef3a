import Foundation
import GoogleCloud
import Logging
import Testing
import TestSupport
@testable import Emulator

@Suite("Supervisor in container mode")
struct ContainerModeTests {
    @Test("with --containers a service is started through the container tool: the image's binary, read-only root, /tmp writable, variables passed by name only")
    func startsContainers() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("container-mode-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A stand-in for podman: records its arguments, then runs the fixture binary as the
        // container would (with the environment the tool was given).
        let arguments = folder.appendingPathComponent("arguments")
        let tool = folder.appendingPathComponent("podman")
        let fixture = ChildProcess.binDirectory.appendingPathComponent("FunctionFixture").path
        try "#!/bin/sh\nprintf '%s\\n' \"$@\" > '\(arguments.path)'\nexec '\(fixture)'\n".write(to: tool, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tool.path)

        let launcher = ServiceLauncher(
            binDirectory: folder,
            sharedEnvironment: ServiceLauncher.emulatorEnvironment(baseURL: "http://127.0.0.1:8085", project: "demo"),
            containers: ContainerRuntime(image: "localhost/pixelpipe:test")
        )
        var logger = Logger(label: "container-mode-test")
        logger.logLevel = .critical
        let lines = LineCollector()
        let supervisor = Supervisor(launcher: launcher, colorize: false, logger: logger) { lines.append($0) }
        let service = try TopologyLoader.parse("services: [{name: alpha, binary: FunctionFixture, env: {LOG_FORMAT: json, WEBHOOK_SECRET: s3cret}}]").services[0]
        do {
            let urls = try await supervisor.start([service])
            let health = try await HTTPClient().get(try #require(urls["alpha"]) + "/healthz")
            #expect(health.status == 200)
        } catch {
            await supervisor.stop()
            throw error
        }
        await supervisor.stop()

        let recorded = try String(contentsOf: arguments, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(recorded.first == "run")
        #expect(recorded.suffix(2) == ["localhost/pixelpipe:test", "/app/bin/FunctionFixture"])
        for flag in ["--read-only", "--rm", "--replace"] { #expect(recorded.contains(flag)) }
        #expect(recorded.contains("/tmp"))
        #expect(recorded.contains { $0.hasPrefix("pixelpipe-alpha-") })
        #expect(recorded.contains("PORT") && recorded.contains("WEBHOOK_SECRET") && recorded.contains("STORAGE_EMULATOR_HOST"))
        #expect(!recorded.contains { $0.contains("s3cret") }, "secret values must not be on the command line")
        #expect(!recorded.contains("PATH") && !recorded.contains("HOME"), "the host's own variables stay out of the container")
    }

    @Test("containers are named per service and data directory, not per port, so the next emulator removes what a killed one left before it assigns ports")
    func namesAndLeftovers() {
        let first = ContainerRuntime(image: "i", instance: ContainerRuntime.instance(for: URL(fileURLWithPath: "/data/a")))
        let other = ContainerRuntime(image: "i", instance: ContainerRuntime.instance(for: URL(fileURLWithPath: "/data/b")))
        #expect(first.instance == ContainerRuntime(image: "i", instance: ContainerRuntime.instance(for: URL(fileURLWithPath: "/data/a/"))).instance)
        #expect(first.instance != other.instance)
        let name = first.containerName(service: "process")
        #expect(first.arguments(service: "process", port: 20001, binary: "process", variables: []).contains(name))
        #expect(first.arguments(service: "process", port: 20002, binary: "process", variables: []).contains(name), "the name does not change with the port")
        #expect(first.removalArguments(services: ["ingest", "process"]) == ["rm", "--force", "--ignore", "--time", "0", first.containerName(service: "ingest"), name])
    }
}
