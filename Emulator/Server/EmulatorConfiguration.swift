import Foundation

/// Where the emulator keeps its state and where it listens.
struct EmulatorConfiguration: Sendable {
    /// Holds `emulator.sqlite` and `buckets/`.
    var dataDirectory: URL
    var host: String
    var port: Int
}
