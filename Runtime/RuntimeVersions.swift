import CCurlShims
#if canImport(Glibc)
import Glibc
#endif

/// Versions of PixelPipe and of the C libraries it runs with, for `--version`.
public enum RuntimeVersions {
    /// PixelPipe's own version.
    public static let pixelpipe = "0.1.0"

    /// The libvips installed for this binary, e.g. `8.14.1`. Looked up with `dlopen` so that
    /// binaries which do not process images need not link it: libvips pulls in about a hundred
    /// shared libraries, and loading them would dominate a function's cold start.
    public static var libvips: String {
        guard let library = dlopen("libvips.so.42", RTLD_LAZY | RTLD_LOCAL) else { return "not installed" }
        defer { dlclose(library) }
        guard let symbol = dlsym(library, "vips_version_string") else { return "unknown" }
        let versionString = unsafeBitCast(symbol, to: (@convention(c) () -> UnsafePointer<CChar>?).self)
        return versionString().map { String(cString: $0) } ?? "unknown"
    }

    /// The linked libcurl, e.g. `7.88.1`.
    public static var libcurl: String {
        String(cString: pp_curl_runtime_version())
    }

    /// The lines `--version` prints.
    public static func report(binary: String) -> String {
        "\(binary) (PixelPipe) \(pixelpipe)\nlibvips \(libvips)\nlibcurl \(libcurl)"
    }
}
