import ArgumentParser
import CProcessShims
import Foundation

/// `emulator exec-service --parent PID -- BINARY ARGS…` (internal): how the supervisor starts a
/// service so that it dies with the emulator. It asks the kernel for SIGKILL when its parent
/// goes (`PR_SET_PDEATHSIG`, which survives exec), checks the parent is still the emulator that
/// started it (else the emulator died before the request took effect), then becomes the
/// service's binary by `execv`. Foundation's `Process` cannot run code between fork and exec,
/// hence this step.
struct ExecServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec-service",
        abstract: "Run a service binary that dies with the emulator (used by emulator up).",
        shouldDisplay: false
    )

    @Option(name: .long, help: "The pid of the emulator that starts the service.")
    var parent: Int32

    @Argument(parsing: .captureForPassthrough, help: "The binary and its arguments.")
    var command: [String]

    func run() throws {
        var command = command
        if command.first == "--" { command.removeFirst() }
        guard let binary = command.first else { throw ValidationError("exec-service: no binary given") }
        guard pixelpipe_set_parent_death_signal(SIGKILL) == 0 else {
            throw ValidationError("exec-service: prctl(PR_SET_PDEATHSIG) failed: \(String(cString: strerror(errno)))")
        }
        // The emulator may have died between starting this process and the prctl above.
        guard getppid() == parent else { Foundation.exit(70) }
        let arguments = command.map { strdup($0) } + [nil]
        execv(binary, arguments)
        throw ValidationError("exec-service: cannot run \(binary): \(String(cString: strerror(errno)))")
    }
}
