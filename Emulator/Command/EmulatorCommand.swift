import ArgumentParser
import Runtime

/// `emulator`: local Google Cloud services for PixelPipe.
@main
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Local Storage, Pub/Sub, Cloud Tasks and Firestore APIs for PixelPipe, backed by SQLite.",
        version: RuntimeVersions.report(binary: "emulator"),
        subcommands: [UpCommand.self, StatusCommand.self, ExecServiceCommand.self]
    )
}
