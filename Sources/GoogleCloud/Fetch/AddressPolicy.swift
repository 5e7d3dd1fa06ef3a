import PixelPipeCore
/// Which addresses outbound connections may reach. By default only public unicast addresses:
/// loopback, link-local (the metadata server at 169.254.169.254), private, CGNAT, multicast,
/// unspecified, reserved and unique-local IPv6 are refused, and IPv4-mapped or NAT64 IPv6
/// addresses are judged by the IPv4 address inside. An explicit allow-list of networks
/// overrides the blocks.
public struct AddressPolicy: Sendable, Equatable {
    /// Networks allowed even though they are blocked by default.
    public var allowed: [CIDR]

    /// Only public addresses.
    public static let publicOnly = AddressPolicy(allowed: [])

    public init(allowed: [CIDR]) {
        self.allowed = allowed
    }

    /// Parses a comma-separated allow-list such as `127.0.0.0/8,::1`; the error names the bad entry.
    public init(allowList: String) throws(ConfigurationError) {
        var networks: [CIDR] = []
        for entry in allowList.split(separator: ",") {
            let text = String(entry.trimmingWhitespace)
            guard let network = CIDR(text) else {
                throw .malformed("allow-list", value: text, expected: "a CIDR such as 127.0.0.0/8 or ::1/128")
            }
            networks.append(network)
        }
        self.init(allowed: networks)
    }

    /// The blocked ranges and why each is blocked.
    static let blocked: [(network: CIDR, reason: String)] = [
        ("0.0.0.0/8", "unspecified"), ("10.0.0.0/8", "private"), ("100.64.0.0/10", "carrier-grade NAT"),
        ("127.0.0.0/8", "loopback"), ("169.254.0.0/16", "link-local (metadata server)"), ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "IETF protocol assignments"), ("192.0.2.0/24", "documentation"), ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"), ("198.51.100.0/24", "documentation"), ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved"),
        ("::/128", "unspecified"), ("::1/128", "loopback"), ("fe80::/10", "link-local"), ("fc00::/7", "unique-local"),
        ("ff00::/8", "multicast"), ("2001:db8::/32", "documentation"), ("100::/64", "discard"),
    ].map { (CIDR($0.0)!, $0.1) }

    /// Nil when `address` may be reached, else why not.
    public func refusal(for address: IPAddress) -> String? {
        if allowed.contains(where: { $0.contains(address) }) { return nil }
        if let inner = address.embeddedIPv4 {
            if allowed.contains(where: { $0.contains(inner) }) { return nil }
            if let reason = Self.blocked.first(where: { $0.network.contains(inner) })?.reason {
                return "\(address) embeds \(inner), which is \(reason)"
            }
            return nil
        }
        return Self.blocked.first(where: { $0.network.contains(address) }).map { "\(address) is \($0.reason)" }
    }
}
