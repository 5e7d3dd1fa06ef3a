import Foundation

/// The admin side of Identity Toolkit that a service needs to honour revocation: looking an
/// account up by uid (`POST v1/projects/P/accounts:lookup` with `localId`), as the Admin SDKs'
/// `getUser` does. On Google it is authorised with the service's own access token; an emulator
/// takes `Authorization: Bearer owner`, which is what the Admin SDKs send in emulator mode.
public struct IdentityAccountsClient: Sendable {
    /// What the service needs to know of an account.
    public struct Account: Sendable, Equatable {
        public var uid: String
        public var email: String?
        public var disabled: Bool
        /// Seconds since the epoch: ID tokens whose `auth_time` is earlier were revoked
        /// (`validSince`, moved on by a password change or a revocation).
        public var validSince: Int64?

        public init(uid: String, email: String?, disabled: Bool, validSince: Int64?) {
            self.uid = uid
            self.email = email
            self.disabled = disabled
            self.validSince = validSince
        }
    }

    let api: GoogleAPIClient
    /// The Firebase project the accounts belong to.
    public let projectID: String

    public init(api: GoogleAPIClient, projectID: String) {
        self.api = api
        self.projectID = projectID
    }

    /// The account `uid`, or nil when there is none (deleted).
    public func account(uid: String) async throws -> Account? {
        struct Lookup: Encodable { var localId: [String] }
        struct Answer: Decodable {
            struct User: Decodable {
                var localId: String
                var email: String?
                var disabled: Bool?
                var validSince: String?
            }
            var users: [User]?
        }
        let body = try JSONEncoder().encode(Lookup(localId: [uid]))
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if api.endpoints.identityToolkit.isEmulator { headers.append(("Authorization", "Bearer owner")) }
        let response = try await api.send(
            .identityToolkit, method: "POST", path: "/v1/projects/\(GoogleAPIClient.percentEncoded(projectID))/accounts:lookup",
            headers: headers, body: body, resource: "account \(uid)"
        )
        let answer: Answer
        do {
            answer = try JSONDecoder().decode(Answer.self, from: response.body)
        } catch {
            throw GoogleAPIError(httpStatus: response.status, status: "INTERNAL", message: "unexpected accounts:lookup answer: \(error)", resource: "account \(uid)")
        }
        guard let user = answer.users?.first(where: { $0.localId == uid }) else { return nil }
        return Account(uid: user.localId, email: user.email, disabled: user.disabled ?? false, validSince: user.validSince.flatMap(Int64.init))
    }
}
