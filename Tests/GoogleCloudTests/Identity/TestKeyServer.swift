import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import TestSupport

/// What a test key server serves (X.509 certificates or a JWKS, with a Cache-Control max-age),
/// and how many times it was asked.
final class TestKeyServer: Sendable {
    enum Format: Sendable { case x509, jwks }
    private struct State {
        var signers: [TestTokenSigner]
        var format: Format
        var maxAge: Int
        var status = 200
        var requests = 0
    }

    private let state: Mutex<State>

    init(signers: [TestTokenSigner], format: Format = .x509, maxAge: Int = 3600) {
        state = Mutex(State(signers: signers, format: format, maxAge: maxAge))
    }

    /// Requests served so far.
    var requests: Int { state.withLock { $0.requests } }

    /// Serves `signers`' keys from now on (a key rotation).
    func serve(_ signers: [TestTokenSigner]) { state.withLock { $0.signers = signers } }

    /// Answers every request with `status` and no keys from now on.
    func fail(with status: Int) { state.withLock { $0.status = status } }

    /// The router: `GET /certs`.
    func router() -> Router<PeerContext> {
        let router = Router(context: PeerContext.self)
        router.get("/certs") { _, _ in
            let (signers, format, maxAge, status) = self.state.withLock { state in
                state.requests += 1
                return (state.signers, state.format, state.maxAge, state.status)
            }
            guard status == 200 else { return Response(status: .init(code: status)) }
            let document: Any
            if format == .x509 {
                document = Dictionary(uniqueKeysWithValues: signers.map { ($0.kid, $0.certificatePEM) })
            } else {
                document = ["keys": try signers.map { try $0.jwk() }]
            }
            var headers = HTTPFields()
            headers[.cacheControl] = "public, max-age=\(maxAge), must-revalidate, no-transform"
            headers[.contentType] = "application/json; charset=UTF-8"
            let body = try JSONSerialization.data(withJSONObject: document)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        return router
    }
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let date: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { date = Mutex(start) }

    var now: Date { date.withLock { $0 } }
    var seconds: Int { Int(now.timeIntervalSince1970) }

    func advance(seconds: Double) { date.withLock { $0 = $0.addingTimeInterval(seconds) } }

    /// The clock as the verifier takes it.
    var function: @Sendable () -> Date { { self.now } }
}
