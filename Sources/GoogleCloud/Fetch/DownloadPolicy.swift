import PixelPipeCore
/// Limits for fetching untrusted source images (ARCHITECTURE §8).
public struct DownloadPolicy: Sendable, Equatable {
    /// Largest body accepted, enforced while streaming (`MAX_IMAGE_BYTES`).
    public var maxBytes: Int = 25 << 20
    /// Time to establish each connection (`DOWNLOAD_CONNECT_TIMEOUT`).
    public var connectTimeout: Duration = .seconds(5)
    /// Time for the whole download, redirects included (`DOWNLOAD_TIMEOUT`).
    public var timeout: Duration = .seconds(30)
    /// Abort when fewer than this many bytes per second arrive for `lowSpeedWindow`.
    public var lowSpeedBytesPerSecond: Int = 1024
    /// How long a transfer may stay under `lowSpeedBytesPerSecond` (`DOWNLOAD_LOW_SPEED_WINDOW`).
    public var lowSpeedWindow: Duration = .seconds(10)
    /// Redirects followed; each hop is re-checked.
    public var maxRedirects: Int = 5
    /// Which addresses may be connected to (`DOWNLOAD_ALLOW_NETWORKS`, comma-separated CIDRs).
    public var addresses: AddressPolicy = .publicOnly

    public init() {}

    /// Reads the policy from the environment; unset variables keep the defaults.
    public init(environment: EnvironmentValues) throws(ConfigurationError) {
        self.init()
        maxBytes = try environment.integer("MAX_IMAGE_BYTES", default: maxBytes, in: 1...(1 << 31))
        connectTimeout = try environment.seconds("DOWNLOAD_CONNECT_TIMEOUT", default: connectTimeout)
        timeout = try environment.seconds("DOWNLOAD_TIMEOUT", default: timeout)
        lowSpeedWindow = try environment.seconds("DOWNLOAD_LOW_SPEED_WINDOW", default: lowSpeedWindow)
        if let allowList = environment["DOWNLOAD_ALLOW_NETWORKS"] {
            do {
                addresses = try AddressPolicy(allowList: allowList)
            } catch {
                throw .malformed("DOWNLOAD_ALLOW_NETWORKS", value: allowList, expected: "comma-separated CIDRs such as 127.0.0.0/8,::1/128")
            }
        }
    }
}
