import Foundation
import GoogleCloud
import HummingbirdBcrypt

/// Identity Toolkit's email/password accounts, apart from HTTP: each call takes the project, the
/// decoded request and whether the caller holds the admin credential, and answers Google's
/// response or throws Firebase's error codes. Passwords are hashed with bcrypt off the
/// cooperative pool and are never logged, stored in clear or returned.
struct IdentityService: Sendable {
    let store: IdentityStore
    let tokens: IdentityTokens
    /// bcrypt's cost: 2^cost rounds. 10 keeps a sign-in near 50 ms on a shared core.
    var bcryptCost: UInt8 = 10

    /// Firebase's minimum password length.
    static let minimumPasswordLength = 6
    /// Firebase's limit on the serialized custom claims.
    static let maximumCustomAttributesLength = 1000

    // MARK: Sign-up and sign-in

    /// `accounts:signUp`: a new account, signed in.
    func signUp(project: String, _ request: IdentityRequests.SignUp, admin: Bool) async throws -> IdentityResponses.SignedIn {
        let account = try await create(project: project, request, admin: admin, passwordRequired: true)
        let issued = try await issueTokens(for: account)
        return .init(kind: "identitytoolkit#SignupNewUserResponse", localId: account.localID, email: account.email,
                     displayName: account.displayName, idToken: issued.idToken, refreshToken: issued.refreshToken,
                     expiresIn: String(IdentityTokens.lifetimeSeconds))
    }

    /// The admin SDK's create (`projects/P/accounts`): a new account, not signed in.
    func adminCreate(project: String, _ request: IdentityRequests.SignUp) async throws -> IdentityResponses.Created {
        let account = try await create(project: project, request, admin: true, passwordRequired: false)
        return .init(localId: account.localID, email: account.email, displayName: account.displayName)
    }

    /// `accounts:signInWithPassword`.
    func signIn(project: String, _ request: IdentityRequests.SignIn) async throws -> IdentityResponses.SignedIn {
        guard let email = request.email, !email.isEmpty else { throw GoogleAPIError.invalidEmail }
        guard let password = request.password, !password.isEmpty else { throw GoogleAPIError.missingPassword }
        guard let account = try await store.account(project: project, email: email) else { throw GoogleAPIError.emailNotFound }
        guard let hash = account.passwordHash, try await Self.verify(password, hash: hash) else { throw GoogleAPIError.invalidPassword }
        guard !account.disabled else { throw GoogleAPIError.userDisabled }
        let issued = try await issueTokens(for: account)
        return .init(kind: "identitytoolkit#VerifyPasswordResponse", localId: account.localID, email: account.email,
                     displayName: account.displayName, idToken: issued.idToken, refreshToken: issued.refreshToken,
                     expiresIn: String(IdentityTokens.lifetimeSeconds), registered: true)
    }

    // MARK: Accounts

    /// `accounts:lookup`: the caller's own account by `idToken`, or (admin) accounts by uid and email.
    func lookup(project: String, _ request: IdentityRequests.Lookup, admin: Bool) async throws -> IdentityResponses.Lookup {
        if let idToken = request.idToken {
            return .init(users: [.init(try await account(forIDToken: idToken, project: project))])
        }
        guard admin else { throw request.localId != nil || request.email != nil ? GoogleAPIError.insufficientPermission : GoogleAPIError.invalidIDToken }
        var found: [IdentityAccount] = []
        for localID in request.localId ?? [] {
            if let account = try await store.account(project: project, localID: localID) { found.append(account) }
        }
        for email in request.email ?? [] {
            if let account = try await store.account(project: project, email: email), !found.contains(account) { found.append(account) }
        }
        return .init(users: found.isEmpty ? nil : found.map(IdentityResponses.User.init))
    }

    /// `accounts:update`: email, password and display name by either caller; custom claims,
    /// `emailVerified` and `disableUser` by an admin only. A new password revokes the account's
    /// refresh tokens (and ID tokens issued before it, through `validSince`); a disabled account's
    /// refresh tokens are refused with `USER_DISABLED` until it is enabled again, as Google does.
    func update(project: String, _ request: IdentityRequests.Update, admin: Bool) async throws -> IdentityResponses.Updated {
        var account = try await target(project: project, idToken: request.idToken, localID: request.localId, admin: admin)
        if !admin, request.customAttributes != nil || request.emailVerified != nil || request.disableUser != nil || request.validSince != nil {
            throw GoogleAPIError.insufficientPermission
        }
        let now = Self.nowMilliseconds()
        if let email = request.email { account.email = try Self.validatedEmail(email) }
        if let password = request.password {
            account.passwordHash = try await hash(try Self.validatedPassword(password))
            account.passwordUpdatedAtMilliseconds = now
            account.validSinceSeconds = now / 1000
        }
        if let displayName = request.displayName { account.displayName = displayName }
        if request.deleteAttribute?.contains("DISPLAY_NAME") == true { account.displayName = nil }
        if let attributes = request.customAttributes { account.customAttributes = try Self.validatedCustomAttributes(attributes) }
        if let verified = request.emailVerified { account.emailVerified = verified }
        if let disabled = request.disableUser { account.disabled = disabled }
        if let validSince = request.validSince { account.validSinceSeconds = validSince.value }
        try await store.update(account)
        if request.password != nil || request.validSince != nil { try await store.deleteRefreshTokens(project: project, localID: account.localID) }
        var response = IdentityResponses.Updated(
            localId: account.localID, email: account.email, displayName: account.displayName, emailVerified: account.emailVerified,
            providerUserInfo: IdentityResponses.User(account).providerUserInfo)
        if !admin || request.returnSecureToken == true, !account.disabled {
            let issued = try await issueTokens(for: account)
            response.idToken = issued.idToken
            response.refreshToken = issued.refreshToken
            response.expiresIn = String(IdentityTokens.lifetimeSeconds)
        }
        return response
    }

    /// `accounts:delete`: the caller's own account by `idToken`, or (admin) any by `localId`.
    func delete(project: String, _ request: IdentityRequests.Delete, admin: Bool) async throws -> IdentityResponses.Deleted {
        let account = try await target(project: project, idToken: request.idToken, localID: request.localId, admin: admin)
        try await store.delete(project: project, localID: account.localID)
        return .init()
    }

    // MARK: Tokens

    /// Secure Token's `grant_type=refresh_token`: a new ID token for a refresh token that is known
    /// and whose account still exists and is enabled.
    func refresh(grantType: String?, refreshToken: String?) async throws -> IdentityResponses.Refreshed {
        guard grantType == "refresh_token" else { throw GoogleAPIError.invalidGrantType }
        guard let refreshToken, !refreshToken.isEmpty else { throw GoogleAPIError.missingRefreshToken }
        guard let issued = try await store.refreshToken(digest: IdentityTokens.digest(of: refreshToken)) else { throw GoogleAPIError.invalidRefreshToken }
        guard let account = try await store.account(project: issued.project, localID: issued.localID) else { throw GoogleAPIError.userNotFound }
        guard !account.disabled else { throw GoogleAPIError.userDisabled }
        let idToken = try await tokens.idToken(for: account, authTimeSeconds: issued.authTimeSeconds, nowSeconds: Self.nowMilliseconds() / 1000)
        return .init(access_token: idToken, expires_in: String(IdentityTokens.lifetimeSeconds), refresh_token: refreshToken,
                     id_token: idToken, user_id: account.localID, project_id: account.project)
    }

    // MARK: Helpers

    private func create(project: String, _ request: IdentityRequests.SignUp, admin: Bool, passwordRequired: Bool) async throws -> IdentityAccount {
        guard let rawEmail = request.email, !rawEmail.isEmpty else { throw GoogleAPIError.missingEmail }
        let email = try Self.validatedEmail(rawEmail)
        var passwordHash: String?
        if let password = request.password, !password.isEmpty {
            passwordHash = try await hash(try Self.validatedPassword(password))
        } else if passwordRequired {
            throw GoogleAPIError.missingPassword
        }
        let localID = admin ? (request.localId ?? Self.makeLocalID()) : Self.makeLocalID()
        guard !localID.isEmpty, localID.count <= 128 else { throw GoogleAPIError.identity("INVALID_LOCAL_ID") }
        var account = IdentityAccount(project: project, localID: localID, email: email, passwordHash: passwordHash,
                                      createdAtMilliseconds: Self.nowMilliseconds())
        account.displayName = request.displayName
        if admin {
            account.emailVerified = request.emailVerified ?? false
            account.disabled = request.disabled ?? false
        }
        try await store.create(account)
        return account
    }

    /// The account an update or delete addresses: the token's own, or (admin) the uid given.
    private func target(project: String, idToken: String?, localID: String?, admin: Bool) async throws -> IdentityAccount {
        if let idToken { return try await account(forIDToken: idToken, project: project) }
        guard admin else { throw localID == nil ? GoogleAPIError.invalidIDToken : GoogleAPIError.insufficientPermission }
        guard let localID, !localID.isEmpty else { throw GoogleAPIError.missingLocalID }
        guard let account = try await store.account(project: project, localID: localID) else { throw GoogleAPIError.userNotFound }
        return account
    }

    private func account(forIDToken idToken: String, project: String) async throws -> IdentityAccount {
        let claims = try await tokens.verify(idToken, project: project, nowSeconds: Self.nowMilliseconds() / 1000)
        guard let account = try await store.account(project: project, localID: claims.subject) else { throw GoogleAPIError.userNotFound }
        guard !account.disabled else { throw GoogleAPIError.userDisabled }
        guard claims.issuedAt >= account.validSinceSeconds else { throw GoogleAPIError.tokenExpired }
        return account
    }

    private func issueTokens(for account: IdentityAccount) async throws -> (idToken: String, refreshToken: String) {
        let now = Self.nowMilliseconds()
        let idToken = try await tokens.idToken(for: account, authTimeSeconds: now / 1000, nowSeconds: now / 1000)
        let refresh = IdentityTokens.makeRefreshToken()
        try await store.addRefreshToken(digest: refresh.digest, project: account.project, localID: account.localID,
                                        authTimeSeconds: now / 1000, createdAtMilliseconds: now)
        try await store.recordSignIn(project: account.project, localID: account.localID, atMilliseconds: now)
        return (idToken, refresh.token)
    }

    private func hash(_ password: String) async throws -> String {
        let cost = bcryptCost
        return try await BlockingIO.run { Bcrypt.hash(password, cost: cost) }
    }

    private static func verify(_ password: String, hash: String) async throws -> Bool {
        try await BlockingIO.run { Bcrypt.verify(password, hash: hash) }
    }

    static func validatedEmail(_ email: String) throws -> String {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: { $0.isWhitespace }) else { throw GoogleAPIError.invalidEmail }
        return email.lowercased()
    }

    static func validatedPassword(_ password: String) throws -> String {
        guard password.count >= minimumPasswordLength else { throw GoogleAPIError.weakPassword }
        return password
    }

    /// The custom claims as stored: a JSON object without reserved claims, nil when empty.
    static func validatedCustomAttributes(_ text: String) throws -> String? {
        guard text.count <= maximumCustomAttributesLength else {
            throw GoogleAPIError.identity("CLAIMS_TOO_LARGE", "Custom claims are larger than \(maximumCustomAttributesLength) characters")
        }
        if text.isEmpty { return nil }
        guard let claims = try? JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8)) else {
            throw GoogleAPIError.identity("INVALID_CLAIMS", "Custom claims must be a JSON object")
        }
        if let reserved = claims.keys.sorted().first(where: IdentityTokenClaims.reserved.contains) {
            throw GoogleAPIError.identity("FORBIDDEN_CLAIM", "Developer claims \(reserved) are reserved and cannot be specified")
        }
        return claims.isEmpty ? nil : text
    }

    private static func makeLocalID() -> String {
        // 28 characters of [A-Za-z0-9], the shape of Firebase's uids.
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<28).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    static func nowMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
