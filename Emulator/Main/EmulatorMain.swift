import ArgumentParser
import Emulator

/// `emulator`: everything is in the Emulator library; this executable only marks its command
/// as the entry point, so ArgumentParser runs the asynchronous `up` as it would under `@main`.
@main
extension EmulatorCommand {}
