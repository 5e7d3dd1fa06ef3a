import Foundation
import JWTKit

/// The public keys that sign tokens, fetched from one URL and cached for the `max-age` of the
/// response's Cache-Control. A `kid` not among them causes one early refetch at most every
/// `minimumRefetchInterval`, so a flood of tokens with made-up key ids cannot make it hammer the
/// key server; concurrent lookups share one fetch.
///
/// The URL may serve Google's X.509 document (`{"kid": "-----BEGIN CERTIFICATE-----…"}`, as
/// `robot/v1/metadata/x509/…` and `oauth2/v1/certs`) or a JWKS (`{"keys": […]}`).
public actor TokenSigningKeys {
    /// Where the keys are served.
    public let url: String
    /// The shortest time between two fetches triggered by unknown key ids, and how long keys
    /// are kept when the response has no `max-age`.
    public let minimumRefetchInterval: Duration
    private let client: HTTPClient
    private let now: @Sendable () -> Date

    private var keys: JWTKeyCollection?
    private var keyIDs: Set<String> = []
    private var expiresAt: Date = .distantPast
    private var lastFetchStartedAt: Date?
    private var inFlight: Task<Void, any Error>?
    /// How many fetches were started, for tests and metrics.
    public private(set) var fetchCount = 0

    /// Keys from `url` fetched with `client`; `now` is the clock (tests inject one).
    public init(url: String, client: HTTPClient = .shared, minimumRefetchInterval: Duration = .seconds(30),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.url = url
        self.client = client
        self.minimumRefetchInterval = minimumRefetchInterval
        self.now = now
    }

    /// The keys, fresh per Cache-Control, guaranteed to hold `kid` if the server lists it (after
    /// at most one rate-limited early refetch). Throws `unknownKeyID` otherwise.
    func keys(containing kid: String) async throws(IDTokenError) -> JWTKeyCollection {
        if keys == nil || now() >= expiresAt {
            try await refresh()
        }
        if !keyIDs.contains(kid), mayRefetchEarly() {
            try await refresh()
        }
        guard let keys, keyIDs.contains(kid) else { throw .unknownKeyID(kid) }
        return keys
    }

    private func mayRefetchEarly() -> Bool {
        guard let last = lastFetchStartedAt else { return true }
        return now().timeIntervalSince(last) >= minimumRefetchInterval.inSeconds
    }

    /// Fetches once, or joins the fetch already under way.
    private func refresh() async throws(IDTokenError) {
        let task: Task<Void, any Error>
        if let inFlight {
            task = inFlight
        } else {
            fetchCount += 1
            lastFetchStartedAt = now()
            task = Task { try await self.fetch() }
            inFlight = task
        }
        do {
            try await task.value
        } catch let error as IDTokenError {
            throw error
        } catch {
            throw .keysUnavailable("\(url): \(error)")
        }
    }

    private func fetch() async throws {
        defer { inFlight = nil }
        let response: HTTPClient.Response
        do {
            response = try await client.get(url)
        } catch {
            throw IDTokenError.keysUnavailable("\(url): \(error)")
        }
        guard response.status == 200 else { throw IDTokenError.keysUnavailable("\(url) answered \(response.status)") }
        let (collection, ids) = try await Self.parse(response.body, from: url)
        keys = collection
        keyIDs = ids
        let maxAge = response.header("Cache-Control").flatMap(Self.maxAge) ?? Int(minimumRefetchInterval.inSeconds)
        expiresAt = now().addingTimeInterval(TimeInterval(maxAge))
    }

    /// `max-age` of a Cache-Control header, in seconds.
    static func maxAge(_ cacheControl: String) -> Int? {
        for directive in cacheControl.split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0].lowercased() == "max-age", let seconds = Int(parts[1]), seconds >= 0 { return seconds }
        }
        return nil
    }

    /// Reads a JWKS or Google's X.509 document into a key collection of RS256 keys by kid.
    static func parse(_ body: Data, from url: String) async throws(IDTokenError) -> (JWTKeyCollection, Set<String>) {
        let collection = JWTKeyCollection()
        var ids: Set<String> = []
        do {
            if let jwks = try? JSONDecoder().decode(JWKS.self, from: body) {
                for jwk in jwks.keys where jwk.keyType == .rsa {
                    guard let kid = jwk.keyIdentifier?.string else { continue }
                    try await collection.add(jwk: jwk)
                    ids.insert(kid)
                }
            } else {
                let certificates = try JSONDecoder().decode([String: String].self, from: body)
                for (kid, pem) in certificates {
                    let key = try Insecure.RSA.PublicKey(certificatePEM: pem)
                    await collection.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
                    ids.insert(kid)
                }
            }
        } catch {
            throw .keysUnavailable("\(url) served no usable keys (\(error))")
        }
        guard !ids.isEmpty else { throw .keysUnavailable("\(url) served no RSA keys") }
        return (collection, ids)
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    fileprivate var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
