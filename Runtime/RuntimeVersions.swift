import CCurlShims
import CVipsShims

/// Versions of PixelPipe and of the C libraries it links, for `--version`.
public enum RuntimeVersions {
    /// PixelPipe's own version.
    public static let pixelpipe = "0.1.0"

    /// The linked libvips, e.g. `8.14.1`.
    public static var libvips: String { String(cString: pp_vips_version()) }

    /// The linked libcurl, e.g. `7.88.1`.
    public static var libcurl: String {
        String(cString: pp_curl_runtime_version())
    }

    /// The lines `--version` prints.
    public static func report(binary: String) -> String {
        "\(binary) (PixelPipe) \(pixelpipe)\nlibvips \(libvips)\nlibcurl \(libcurl)"
    }
}
