import Foundation
import Testing
import TestSupport

@testable import GoogleCloud

/// The verifier against keys made in the test and served from 127.0.0.1 with a Cache-Control
/// max-age, on a clock the test moves.
@Suite("ID token verifier")
struct IDTokenVerifierTests {
    static let project = "pixelpipe-test"

    /// Firebase claims for `uid`, issued at the clock's now, plus `extra` (nil values remove a claim).
    static func firebaseClaims(_ clock: TestClock, uid: String = "ada-uid", _ extra: [String: Any?] = [:]) -> [String: Any] {
        let now = clock.seconds
        var claims: [String: Any] = [
            "iss": "https://securetoken.google.com/\(project)", "aud": project, "sub": uid, "user_id": uid,
            "iat": now, "auth_time": now, "exp": now + 3600, "email": "ada@example.com", "email_verified": false,
            "firebase": ["sign_in_provider": "password", "identities": ["email": ["ada@example.com"]]],
        ]
        for (name, value) in extra { claims[name] = value }
        return claims
    }

    /// Runs `body` with a key server for `signers` on port 0 and a verifier of `audience` pointed at it.
    static func withVerifier<T: Sendable>(
        _ signers: [TestTokenSigner], format: TestKeyServer.Format = .x509, maxAge: Int = 3600,
        audience: IDTokenVerifier.Audience = .firebase(projectID: project), clockSkew: Duration = IDTokenVerifier.defaultClockSkew,
        _ body: @Sendable (IDTokenVerifier, TestKeyServer, TestClock) async throws -> T
    ) async throws -> T {
        let server = TestKeyServer(signers: signers, format: format, maxAge: maxAge)
        let clock = TestClock()
        return try await withTestServer(server.router()) { port in
            let client = HTTPClient()
            defer { client.shutdown() }
            let keys = TokenSigningKeys(url: "http://127.0.0.1:\(port)/certs", client: client, minimumRefetchInterval: .seconds(30), now: clock.function)
            let verifier = IDTokenVerifier(audience: audience, keys: keys, clockSkew: clockSkew, now: clock.function)
            return try await body(verifier, server, clock)
        }
    }

    /// The error `verify` throws (failing the test when it returns instead).
    static func refusal(_ verifier: IDTokenVerifier, _ token: String) async -> IDTokenError? {
        do {
            let identity = try await verifier.verify(token)
            Issue.record("accepted a token that should be refused: uid \(identity.uid)")
            return nil
        } catch {
            return error
        }
    }

    @Test("a Firebase ID token verifies against the X.509 certificates and yields uid, email, provider and custom claims", arguments: [TestKeyServer.Format.x509, .jwks])
    func accepts(format: TestKeyServer.Format) async throws {
        let signer = try TestTokenSigner(kid: "key-1")
        try await Self.withVerifier([signer], format: format) { verifier, _, clock in
            let token = try signer.sign(Self.firebaseClaims(clock, ["admin": true, "tier": "gold", "email_verified": true]))
            let identity = try await verifier.verify(token)
            #expect(identity.uid == "ada-uid")
            #expect(identity.email == "ada@example.com")
            #expect(identity.emailVerified)
            #expect(identity.signInProvider == "password")
            #expect(identity.isAdmin)
            #expect(identity.claims["tier"] == .string("gold"))

            let plain = try await verifier.verify(try signer.sign(Self.firebaseClaims(clock)))
            #expect(!plain.isAdmin)
        }
    }

    /// A refusal case: a name, how to make the token, and the reason expected.
    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let reason: String
        let make: @Sendable (TestTokenSigner, TestTokenSigner, TestClock) throws -> String
        var testDescription: String { name }
    }

    static let refusals: [Refusal] = [
        .init(name: "expired", reason: "expired") { signer, _, clock in
            try signer.sign(firebaseClaims(clock, ["iat": clock.seconds - 7200, "auth_time": clock.seconds - 7200, "exp": clock.seconds - 3600]))
        },
        .init(name: "wrong audience", reason: "wrong audience") { signer, _, clock in
            try signer.sign(firebaseClaims(clock, ["aud": "someone-else"]))
        },
        .init(name: "wrong issuer", reason: "wrong issuer") { signer, _, clock in
            try signer.sign(firebaseClaims(clock, ["iss": "https://accounts.google.com"]))
        },
        .init(name: "a token of another project", reason: "wrong audience") { signer, _, clock in
            try signer.sign(firebaseClaims(clock, ["aud": "other-project", "iss": "https://securetoken.google.com/other-project"]))
        },
        .init(name: "iat in the future", reason: "issued in the future") { signer, _, clock in
            try signer.sign(firebaseClaims(clock, ["iat": clock.seconds + 600]))
        },
        .init(name: "auth_time in the future", reason: "issued in the future") { signer, _, clock in
            try signer.sign(firebaseClaims(clock, ["auth_time": clock.seconds + 600]))
        },
        .init(name: "bad signature (signed by another key under the served kid)", reason: "bad signature") { signer, stranger, clock in
            try stranger.sign(firebaseClaims(clock), header: ["alg": "RS256", "kid": signer.kid])
        },
        .init(name: "tampered payload", reason: "bad signature") { signer, _, clock in
            let honest = try signer.sign(firebaseClaims(clock)).split(separator: ".")
            let forged = try signer.sign(firebaseClaims(clock, ["admin": true])).split(separator: ".")
            return [honest[0], forged[1], honest[2]].joined(separator: ".")
        },
        .init(name: "unknown key id", reason: "unknown key id") { _, stranger, clock in
            try stranger.sign(firebaseClaims(clock))
        },
        .init(name: "alg none", reason: "unsupported algorithm") { signer, _, clock in
            try signer.sign(firebaseClaims(clock), header: ["alg": "none", "kid": signer.kid])
        },
        .init(name: "HS256 keyed with the public certificate", reason: "unsupported algorithm") { signer, _, clock in
            try signer.sign(firebaseClaims(clock), header: ["alg": "HS256", "kid": signer.kid])
        },
        .init(name: "no kid", reason: "malformed") { signer, _, clock in
            try signer.sign(firebaseClaims(clock), header: ["alg": "RS256"])
        },
        .init(name: "empty sub", reason: "bad subject") { signer, _, clock in
            try signer.sign(firebaseClaims(clock, uid: ""))
        },
        .init(name: "sub of 129 characters", reason: "bad subject") { signer, _, clock in
            try signer.sign(firebaseClaims(clock, uid: String(repeating: "u", count: 129)))
        },
        .init(name: "not a JWS", reason: "malformed") { _, _, _ in "not-a-token.at-all" },
    ]

    @Test("each refusal has its reason, and the error's description holds no part of the token", arguments: refusals)
    func refuses(_ refusal: Refusal) async throws {
        let signer = try TestTokenSigner(kid: "key-1")
        let stranger = try TestTokenSigner(kid: "key-stranger")
        try await Self.withVerifier([signer]) { verifier, _, clock in
            let token = try refusal.make(signer, stranger, clock)
            let error = try #require(await Self.refusal(verifier, token))
            #expect(error.reason == refusal.reason, "\(error)")
            #expect(!error.isTransient)
            for part in token.split(separator: ".") where part.count >= 8 {
                #expect(!error.description.contains(part), "the description quotes the token: \(error.description)")
                #expect(!String(reflecting: error).contains(part))
            }
        }
    }

    @Test("a 129th character is what makes sub too long: 128 verify")
    func subjectAtTheLimit() async throws {
        let signer = try TestTokenSigner(kid: "key-1")
        try await Self.withVerifier([signer]) { verifier, _, clock in
            let uid = String(repeating: "u", count: 128)
            let identity = try await verifier.verify(try signer.sign(Self.firebaseClaims(clock, uid: uid)))
            #expect(identity.uid == uid)
        }
    }

    @Test("clock skew: exp and iat/auth_time just inside the allowance verify, just outside are refused", arguments: [0, 60, 300])
    func skewEdges(skewSeconds: Int) async throws {
        let signer = try TestTokenSigner(kid: "key-1")
        try await Self.withVerifier([signer], clockSkew: .seconds(skewSeconds)) { verifier, _, clock in
            let now = clock.seconds
            let old = now - 7200
            let justInsideExp = try signer.sign(Self.firebaseClaims(clock, ["iat": old, "auth_time": old, "exp": now - skewSeconds + 1]))
            let justOutsideExp = try signer.sign(Self.firebaseClaims(clock, ["iat": old, "auth_time": old, "exp": now - skewSeconds]))
            _ = try await verifier.verify(justInsideExp)
            #expect(await Self.refusal(verifier, justOutsideExp)?.reason == "expired")

            for claim in ["iat", "auth_time"] {
                let justInside = try signer.sign(Self.firebaseClaims(clock, [claim: now + skewSeconds]))
                let justOutside = try signer.sign(Self.firebaseClaims(clock, [claim: now + skewSeconds + 1]))
                _ = try await verifier.verify(justInside)
                #expect(await Self.refusal(verifier, justOutside)?.reason == "issued in the future", "\(claim)")
            }
        }
    }

    @Test("the keys are fetched once per max-age: a second verification within it makes no request, one after it refetches")
    func caching() async throws {
        let signer = try TestTokenSigner(kid: "key-1")
        try await Self.withVerifier([signer], maxAge: 600) { verifier, server, clock in
            _ = try await verifier.verify(try signer.sign(Self.firebaseClaims(clock)))
            #expect(server.requests == 1)
            clock.advance(seconds: 599)
            _ = try await verifier.verify(try signer.sign(Self.firebaseClaims(clock)))
            #expect(server.requests == 1)
            clock.advance(seconds: 1)
            _ = try await verifier.verify(try signer.sign(Self.firebaseClaims(clock)))
            #expect(server.requests == 2)
            _ = try await verifier.verify(try signer.sign(Self.firebaseClaims(clock)))
            #expect(server.requests == 2)
        }
    }

    @Test("a burst of tokens with unknown key ids makes at most one extra fetch, and none within the rate limit")
    func unknownKeyIDBurst() async throws {
        let signer = try TestTokenSigner(kid: "key-1")
        let stranger = try TestTokenSigner(kid: "key-stranger")
        try await Self.withVerifier([signer]) { verifier, server, clock in
            _ = try await verifier.verify(try signer.sign(Self.firebaseClaims(clock)))
            #expect(server.requests == 1)
            // Within the rate limit of the first fetch: refused from the cache.
            #expect(await Self.refusal(verifier, try stranger.sign(Self.firebaseClaims(clock)))?.reason == "unknown key id")
            #expect(server.requests == 1)

            clock.advance(seconds: 31)
            let bad = try stranger.sign(Self.firebaseClaims(clock))
            let reasons = await withTaskGroup(of: String?.self) { group in
                for _ in 0..<50 { group.addTask { await Self.refusal(verifier, bad)?.reason } }
                return await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(reasons == Array(repeating: "unknown key id", count: 50))
            #expect(server.requests == 2)
            #expect(await verifier.keys.fetchCount == 2)
        }
    }

    @Test("key rotation: a token under a newly served kid verifies after the early refetch; the retired kid is then unknown")
    func rotation() async throws {
        let old = try TestTokenSigner(kid: "key-old")
        let new = try TestTokenSigner(kid: "key-new")
        try await Self.withVerifier([old]) { verifier, server, clock in
            _ = try await verifier.verify(try old.sign(Self.firebaseClaims(clock)))
            server.serve([new])
            clock.advance(seconds: 31)
            let identity = try await verifier.verify(try new.sign(Self.firebaseClaims(clock)))
            #expect(identity.uid == "ada-uid")
            #expect(server.requests == 2)
            #expect(await Self.refusal(verifier, try old.sign(Self.firebaseClaims(clock)))?.reason == "unknown key id")
        }
    }

    @Test("a key server that fails makes the refusal transient (keys unavailable), not a verdict on the token")
    func keyServerDown() async throws {
        let signer = try TestTokenSigner(kid: "key-1")
        try await Self.withVerifier([signer]) { verifier, server, clock in
            server.fail(with: 503)
            let error = try #require(await Self.refusal(verifier, try signer.sign(Self.firebaseClaims(clock))))
            #expect(error.reason == "keys unavailable")
            #expect(error.isTransient)
        }
    }

    static let serviceAccount = "scheduler@pixelpipe-test.iam.gserviceaccount.com"
    static let apiURL = "https://api.pixelpipe.test"

    /// A Google-signed identity token's claims for `serviceAccount` and `apiURL`, plus `extra`.
    static func googleClaims(_ clock: TestClock, _ extra: [String: Any] = [:]) -> [String: Any] {
        var claims: [String: Any] = [
            "iss": "https://accounts.google.com", "aud": apiURL, "azp": "1234567890", "sub": "1234567890",
            "email": serviceAccount, "email_verified": true, "iat": clock.seconds, "exp": clock.seconds + 3600,
        ]
        for (name, value) in extra { claims[name] = value }
        return claims
    }

    @Test("a Google-signed service-account token verifies for the configured audience and allowed email, with either issuer form")
    func serviceAccountAccepted() async throws {
        let signer = try TestTokenSigner(kid: "google-1")
        let audience = IDTokenVerifier.Audience.googleServiceAccount(audience: Self.apiURL, allowedEmails: [Self.serviceAccount])
        try await Self.withVerifier([signer], format: .jwks, audience: audience) { verifier, _, clock in
            let identity = try await verifier.verify(try signer.sign(Self.googleClaims(clock)))
            #expect(identity.email == Self.serviceAccount)
            #expect(identity.uid == "1234567890")
            #expect(identity.signInProvider == nil)
            _ = try await verifier.verify(try signer.sign(Self.googleClaims(clock, ["iss": "accounts.google.com"])))
        }
    }

    @Test("a service-account token is refused for another email, an unverified email, another audience or a Firebase issuer", arguments: [
        ("email", "intruder@elsewhere.iam.gserviceaccount.com", "email not allowed"),
        ("email_verified", "false", "email not verified"),
        ("aud", "https://elsewhere.test", "wrong audience"),
        ("iss", "https://securetoken.google.com/pixelpipe-test", "wrong issuer"),
    ])
    func serviceAccountRefused(claim: String, value: String, reason: String) async throws {
        let signer = try TestTokenSigner(kid: "google-1")
        let audience = IDTokenVerifier.Audience.googleServiceAccount(audience: Self.apiURL, allowedEmails: [Self.serviceAccount])
        try await Self.withVerifier([signer], audience: audience) { verifier, _, clock in
            let token = try signer.sign(Self.googleClaims(clock, [claim: value == "false" ? false as Any : value as Any]))
            #expect(await Self.refusal(verifier, token)?.reason == reason)
        }
    }

    @Test("Cache-Control max-age is read among other directives", arguments: [
        ("public, max-age=19204, must-revalidate, no-transform", 19204),
        ("max-age=0", 0), ("MAX-AGE = 60", 60), ("no-store", nil), ("max-age=-5", nil), ("max-age=soon", nil),
    ] as [(String, Int?)])
    func maxAge(header: String, expected: Int?) {
        #expect(TokenSigningKeys.maxAge(header) == expected)
    }
}
