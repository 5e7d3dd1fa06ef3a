#if canImport(Glibc)
import Glibc
import PixelPipeCore
#endif

/// Versions of PixelPipe and of the C libraries it runs with, for `--version`.
public enum RuntimeVersions {
    /// PixelPipe's own version.
    public static let pixelpipe = PixelPipeVersion.current

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

    /// The libcurl this process runs with, e.g. `7.88.1`, looked up like libvips so that the
    /// framework links no C library of its own (the Google clients link libcurl).
    public static var libcurl: String {
        guard let library = dlopen("libcurl.so.4", RTLD_LAZY | RTLD_LOCAL) else { return "not installed" }
        defer { dlclose(library) }
        guard let symbol = dlsym(library, "curl_version") else { return "unknown" }
        let versionString = unsafeBitCast(symbol, to: (@convention(c) () -> UnsafePointer<CChar>?).self)
        // "libcurl/7.88.1 OpenSSL/3.0.17 zlib/1.2.13 …": the first word after the slash.
        guard let full = versionString().map({ String(cString: $0) }),
              let first = full.split(separator: " ").first, let slash = first.firstIndex(of: "/") else { return "unknown" }
        return String(first[first.index(after: slash)...])
    }

    /// The lines `--version` prints.
    public static func report(binary: String) -> String {
        "\(binary) (PixelPipe) \(pixelpipe)\nlibvips \(libvips)\nlibcurl \(libcurl)"
    }
}
