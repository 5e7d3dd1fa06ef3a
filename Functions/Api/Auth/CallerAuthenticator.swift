import Foundation
import GoogleCloud
import PipelineModel

/// Turns an `Authorization` header into a `Caller`, or a 401 saying why not.
///
/// A Firebase ID token is verified (signature against the cached public keys, issuer,
/// audience, times; `IDTokenVerifier`) and its account looked up: a deleted or disabled
/// account, or a token signed in before the account's `validSince` (a revocation or password
/// change), is refused like a bad token — as the Admin SDKs' `verifyIdToken(checkRevoked: true)`
/// does. A Google-signed service-account token is accepted when its email is on the allow-list.
/// The reasons are fixed phrases; no part of the token is ever in an answer or a log line.
struct CallerAuthenticator: Sendable {
    let firebase: IDTokenVerifier
    let google: IDTokenVerifier?
    let accounts: AccountStates

    init(configuration: AuthConfiguration, api: GoogleAPIClient) {
        firebase = IDTokenVerifier(audience: .firebase(projectID: configuration.firebaseProject),
                                   keys: TokenSigningKeys(url: configuration.certificatesURL))
        if let audience = configuration.serviceAccountAudience, !configuration.serviceAccounts.isEmpty {
            google = IDTokenVerifier(audience: .googleServiceAccount(audience: audience, allowedEmails: configuration.serviceAccounts),
                                     keys: TokenSigningKeys(url: configuration.googleCertificatesURL))
        } else {
            google = nil
        }
        accounts = AccountStates(client: IdentityAccountsClient(api: api, projectID: configuration.firebaseProject),
                                 interval: configuration.accountCheckInterval)
    }

    /// The caller the header identifies.
    func caller(authorization: String?) async throws(Problem) -> Caller {
        guard let authorization, !authorization.isEmpty else {
            throw Problem.unauthenticated(Problem.missingTokenReason, "send Authorization: Bearer ID_TOKEN (a Firebase ID token; sign in with `pixelpipe login`)")
        }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem.unauthenticated("malformed", "the Authorization header must be `Bearer ID_TOKEN`")
        }
        let token = String(parts[1]).trimmingCharacters(in: .whitespaces)
        let identity: VerifiedIdentity
        do {
            identity = try await firebase.verify(token)
        } catch {
            // A token that is not a Firebase one may be a machine's Google-signed token.
            if let google, error == .wrongIssuer("") || error == .wrongAudience(""), let machine = try? await google.verify(token) {
                return Caller(uid: machine.uid, email: machine.email, isAdmin: false, kind: .serviceAccount)
            }
            if error.isTransient { throw Problem.unavailable("the token-signing keys could not be fetched; retry the request") }
            throw Problem.unauthenticated(error.reason, "the ID token was refused: \(error)")
        }
        let account: IdentityAccountsClient.Account?
        do {
            account = try await accounts.account(uid: identity.uid)
        } catch {
            throw Problem.unavailable("the account could not be looked up; retry the request")
        }
        guard let account else {
            throw Problem.unauthenticated("user deleted", "the ID token's account (uid \(identity.uid.prefix(128))) no longer exists")
        }
        guard !account.disabled else {
            throw Problem.unauthenticated("user disabled", "the ID token's account (uid \(identity.uid.prefix(128))) is disabled")
        }
        if let validSince = account.validSince, let authTime = identity.authTime, authTime < validSince {
            throw Problem.unauthenticated("token revoked", "the ID token was revoked (signed in at \(authTime), tokens valid since \(validSince)); sign in again")
        }
        return Caller(uid: identity.uid, email: identity.email, isAdmin: identity.isAdmin, kind: .user)
    }
}
