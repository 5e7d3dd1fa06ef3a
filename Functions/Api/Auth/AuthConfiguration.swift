import Foundation
import GoogleCloud
import PixelPipeCore

/// Who may call the jobs API and how their tokens are checked, read once at start-up.
///
/// Users sign in with Firebase Authentication (Identity Platform) and send its ID tokens;
/// machines may send Google-signed identity tokens of service accounts on an allow-list. With
/// `FIREBASE_AUTH_EMULATOR_HOST` set (the emulator sets it for every service it runs) the keys,
/// the accounts API and the sign-in endpoints a client is told about are the emulator's, and
/// the tokens are verified by the same code as in Google Cloud.
public struct AuthConfiguration: Sendable {
    /// The Firebase project whose ID tokens are accepted (`IDENTITY_PROJECT`, else the pipeline's project).
    public var firebaseProject: String
    /// The Web API key clients send with sign-in calls (`FIREBASE_API_KEY`); public by design.
    public var apiKey: String
    /// Where the Firebase ID tokens' X.509 certificates are served.
    public var certificatesURL: String
    /// Identity Toolkit v1 (sign-up, sign-in) and Secure Token v1 (refresh), for clients.
    public var identityToolkitURL: String
    public var secureTokenURL: String
    /// Service accounts whose Google-signed identity tokens are accepted (`API_SERVICE_ACCOUNTS`,
    /// comma-separated emails), for `API_AUDIENCE` (the service's URL). Empty: none.
    public var serviceAccounts: Set<String>
    public var serviceAccountAudience: String?
    /// Where Google serves the keys of its identity tokens.
    public var googleCertificatesURL: String
    /// How long an account's state (deleted, disabled, tokens revoked) is trusted before it is
    /// looked up again (`API_ACCOUNT_CHECK_SECONDS`, default 30; 0 looks up on every request).
    public var accountCheckInterval: Duration
    /// Per-user limits.
    public var limits: UsageLimits

    /// Values for tests: tokens of `project`, keys and endpoints under `identityBaseURL`
    /// (an emulator, `http://127.0.0.1:PORT`).
    public init(project: String, identityBaseURL: String) {
        firebaseProject = project
        apiKey = "local-api-key"
        certificatesURL = identityBaseURL + "/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"
        identityToolkitURL = identityBaseURL + GoogleEndpoints.identityToolkitEmulatorPath + "/v1"
        secureTokenURL = identityBaseURL + "/securetoken.googleapis.com/v1"
        serviceAccounts = []
        serviceAccountAudience = nil
        googleCertificatesURL = IDTokenVerifier.googleCertificatesURL
        accountCheckInterval = .seconds(30)
        limits = UsageLimits()
    }

    /// Reads the configuration for the pipeline's `project`.
    public init(environment: EnvironmentValues, project: String) throws(ConfigurationError) {
        if let host = environment["FIREBASE_AUTH_EMULATOR_HOST"], !host.isEmpty {
            self.init(project: environment["IDENTITY_PROJECT"] ?? project, identityBaseURL: host.contains("://") ? host : "http://" + host)
            apiKey = environment["FIREBASE_API_KEY"] ?? apiKey
        } else {
            self.init(project: environment["IDENTITY_PROJECT"] ?? project, identityBaseURL: "https://www.googleapis.com")
            certificatesURL = IDTokenVerifier.firebaseCertificatesURL
            identityToolkitURL = "https://identitytoolkit.googleapis.com/v1"
            secureTokenURL = "https://securetoken.googleapis.com/v1"
            apiKey = environment["FIREBASE_API_KEY"] ?? ""
        }
        let accounts = (environment["API_SERVICE_ACCOUNTS"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        serviceAccounts = Set(accounts.filter { !$0.isEmpty })
        serviceAccountAudience = environment["API_AUDIENCE"]
        if !serviceAccounts.isEmpty, serviceAccountAudience == nil {
            throw .missing("API_AUDIENCE")
        }
        accountCheckInterval = try environment.seconds("API_ACCOUNT_CHECK_SECONDS", default: .seconds(30))
        limits = try UsageLimits(environment: environment)
    }
}
