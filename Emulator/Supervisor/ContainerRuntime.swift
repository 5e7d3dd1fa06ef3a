import Crypto
import Foundation

/// Runs each service as a container of the deployment image instead of a process
/// (`emulator up --containers`): the same image Cloud Run runs, with the restrictions it
/// imposes — a read-only root with only `/tmp` writable, a non-root user (the image's), a
/// bounded stop — on the host network so loopback URLs keep working.
struct ContainerRuntime: Sendable, Equatable {
    /// The image holding every stage binary in `/app/bin` (infra/Dockerfile).
    var image: String
    /// The container tool (`podman`), found on PATH.
    var tool: String = "podman"
    /// Names this emulator's containers apart from other data directories' (`instance(for:)`).
    var instance: String = "local"

    /// A tag for the data directory at `path`: its containers are found again by name after the
    /// emulator was killed, whatever ports they had.
    static func instance(for directory: URL) -> String {
        let path = directory.standardizedFileURL.path
        return SHA256.hash(data: Data(path.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    /// `pixelpipe-SERVICE-INSTANCE`: one container per service and data directory.
    func containerName(service: String) -> String {
        "pixelpipe-\(service)-\(instance)"
    }

    /// The tool's arguments that run `binary` as the service called `service`. Variables are
    /// passed by name only (`--env KEY`, value from the tool's own environment), so secrets
    /// never appear on a command line.
    /// A restart replaces its predecessor of the same name; two emulators do not collide.
    func arguments(service: String, port: Int, binary: String, variables: [String]) -> [String] {
        var arguments = [
            "run", "--rm", "--replace", "--name", containerName(service: service),
            "--runtime", "runc", "--network", "host",
            "--read-only", "--tmpfs", "/tmp",
            "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1000:1000",
            "--stop-timeout", "10",
        ]
        for name in variables.sorted() { arguments += ["--env", name] }
        arguments += [image, "/app/bin/\(binary)"]
        return arguments
    }

    /// The tool's arguments that remove `services`' containers, running or not, if any.
    func removalArguments(services: [String]) -> [String] {
        ["rm", "--force", "--ignore", "--time", "0"] + services.map(containerName(service:))
    }

    /// Removes the containers an emulator killed outright left running: the kernel kills the
    /// container tool's client with the emulator, not the container, which would otherwise keep
    /// the service's port. Done before the ports are assigned.
    func removeLeftovers(services: [String], executable: URL) async throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = removalArguments(services: services)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try await Task.detached {
            try process.run()
            process.waitUntilExit()
        }.value
    }
}
