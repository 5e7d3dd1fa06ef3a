import Foundation

/// Where the release binaries the benchmarks start (`emulator`, the stages) are: the root
/// package's `.build/release`, built by `swift build -c release` in the repository. The
/// benchmarks are a package of their own under `Benchmarks/`, so their own executables live in
/// `Benchmarks/.build/…`; `PIXELPIPE_BIN_DIR` overrides the guess.
public enum ReleaseBinaries {
    /// The folder holding the release binaries.
    public static var directory: URL {
        if let configured = ProcessInfo.processInfo.environment["PIXELPIPE_BIN_DIR"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        let own = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        // Up from Benchmarks/.build/<triple>/release to the folder holding Benchmarks/Package.swift.
        var folder = own
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Benchmarks/Package.swift").path) {
                return folder.appendingPathComponent(".build/release")
            }
            folder.deleteLastPathComponent()
        }
        return own
    }

    /// The release binary `name`.
    public static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
}
