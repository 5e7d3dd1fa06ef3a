/// Runs each service as a container of the deployment image instead of a process
/// (`emulator up --containers`): the same image Cloud Run runs, with the restrictions it
/// imposes — a read-only root with only `/tmp` writable, a non-root user (the image's), a
/// bounded stop — on the host network so loopback URLs keep working.
struct ContainerRuntime: Sendable, Equatable {
    /// The image holding every stage binary in `/app/bin` (infra/Dockerfile).
    var image: String
    /// The container tool (`podman`), found on PATH.
    var tool: String = "podman"

    /// The tool's arguments that run `binary` as the service called `service`. Variables are
    /// passed by name only (`--env KEY`, value from the tool's own environment), so secrets
    /// never appear on a command line.
    /// The container is named after the service and its port, which is stable per data
    /// directory: a restart replaces its predecessor, two emulators do not collide.
    func arguments(service: String, port: Int, binary: String, variables: [String]) -> [String] {
        var arguments = [
            "run", "--rm", "--replace", "--name", "pixelpipe-\(service)-\(port)",
            "--runtime", "runc", "--network", "host",
            "--read-only", "--tmpfs", "/tmp",
            "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1000:1000",
            "--stop-timeout", "10",
        ]
        for name in variables.sorted() { arguments += ["--env", name] }
        arguments += [image, "/app/bin/\(binary)"]
        return arguments
    }
}
