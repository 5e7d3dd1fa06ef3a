import CVipsShims
import Foundation

/// The process-wide libvips state: initialised once, then configured for untrusted input
/// (operation cache off, untrusted and document loaders blocked, concurrency set).
enum VipsLibrary {
    /// Result of the one `VIPS_INIT`; Swift runs a static initialiser exactly once, thread-safely.
    private static let initialization: Result<Void, ImagingError> = {
        guard pp_vips_init("pixelpipe") == 0 else {
            return .failure(ImagingError.libraryUnavailable.with(detail: takeError()))
        }
        return .success(())
    }()

    /// Initialises libvips if needed and applies the process-wide settings.
    static func configure(concurrency: Int) throws(ImagingError) {
        try initialization.get()
        pp_vips_configure(Int32(clamping: concurrency))
    }

    /// The libvips version string.
    static var version: String { String(cString: pp_vips_version()) }

    /// Whether a loader (e.g. `svgload_buffer`) is refused by this process.
    static func isBlocked(_ operation: String) -> Bool { pp_vips_operation_is_blocked(operation) != 0 }

    /// Reads and clears libvips' error buffer. It is process-global, so this is called right
    /// after each failing call; the text goes into the typed error's detail.
    static func takeError() -> String {
        guard let text = pp_vips_error_take() else { return "" }
        defer { pp_vips_free(text) }
        return String(cString: text).trimmingCharacters(in: .newlines)
    }
}
