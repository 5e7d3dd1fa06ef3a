import ArgumentParser
import FunctionsFramework

/// `emulator`: local Google Cloud services for PixelPipe.
public struct EmulatorCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Local Storage, Pub/Sub, Cloud Tasks and Firestore APIs for PixelPipe, backed by SQLite.",
        version: RuntimeVersions.report(binary: "emulator"),
        subcommands: [UpCommand.self, StatusCommand.self, ExecServiceCommand.self]
    )

    public init() {}
}
