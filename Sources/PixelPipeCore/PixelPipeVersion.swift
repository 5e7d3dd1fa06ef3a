/// PixelPipe's own version: in `--version`, and in the User-Agent of its HTTP clients.
public enum PixelPipeVersion {
    /// The version of this build.
    public static let current = "0.1.0"
}
