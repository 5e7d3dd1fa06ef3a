import Crypto
import CryptoExtras
import Foundation
import GoogleCloud
import PipelineModel
import TestSupport

/// Signs ID tokens with the running emulator's own identity key (read from its data directory,
/// as only a test on this machine can), so a test can hand the api service tokens that are
/// genuine but wrong in one way each: expired, another audience, a made-up key id…
struct EmulatorTokenSigner: Sendable {
    let kid: String
    let key: _RSA.Signing.PrivateKey
    let project: String

    init(_ pipeline: PipelineHarness) async throws {
        let pem = try String(contentsOf: pipeline.emulator.dataDirectory.appendingPathComponent("secrets/identity-signing-key.pem"), encoding: .utf8)
        key = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        let response = try await HTTPClient.shared.execute(.init(
            url: pipeline.emulator.baseURL + "/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com", timeout: .seconds(10)))
        guard let certificates = try JSONSerialization.jsonObject(with: response.body) as? [String: String], let kid = certificates.keys.first else {
            throw TestFailure("the emulator serves no signing certificate: \(response.status)")
        }
        self.kid = kid
        project = pipeline.configuration.project
    }

    /// The claims of a fresh, valid ID token of `uid`, for a test to spoil one of.
    func claims(uid: String, now: Date = Date()) -> [String: Any] {
        let seconds = Int(now.timeIntervalSince1970)
        return ["iss": "https://securetoken.google.com/\(project)", "aud": project, "sub": uid, "user_id": uid,
                "iat": seconds, "exp": seconds + 3600, "auth_time": seconds, "firebase": ["sign_in_provider": "password"]]
    }

    /// A compact JWS of `claims` with `header` (default RS256 with the emulator's key id);
    /// `alg: none` gets an empty signature.
    func sign(_ claims: [String: Any], header: [String: Any]? = nil) throws -> String {
        let header = header ?? ["alg": "RS256", "kid": kid, "typ": "JWT"]
        let input = Self.base64URL(try JSONSerialization.data(withJSONObject: header, options: .sortedKeys)) + "."
            + Self.base64URL(try JSONSerialization.data(withJSONObject: claims, options: .sortedKeys))
        if header["alg"] as? String == "none" { return input + "." }
        let signature = try key.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5).rawRepresentation
        return input + "." + Self.base64URL(signature)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
