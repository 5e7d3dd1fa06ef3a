import Foundation
import GoogleCloud
import GRDB

/// One email/password account of a project, as stored. `passwordHash` is a bcrypt hash and never
/// leaves the emulator; `customAttributes` is the JSON object an admin set (the custom claims).
struct IdentityAccount: Sendable, Equatable {
    var project: String
    var localID: String
    var email: String?
    var passwordHash: String?
    var displayName: String?
    var emailVerified = false
    var disabled = false
    var customAttributes: String?
    /// Milliseconds since the epoch, as Identity Toolkit reports them.
    var createdAtMilliseconds: Int64
    var lastLoginAtMilliseconds: Int64?
    var passwordUpdatedAtMilliseconds: Int64?
    /// Seconds since the epoch: tokens issued before it count as revoked (`validSince`).
    var validSinceSeconds: Int64

    init(project: String, localID: String, email: String?, passwordHash: String?, createdAtMilliseconds: Int64) {
        self.project = project
        self.localID = localID
        self.email = email
        self.passwordHash = passwordHash
        self.createdAtMilliseconds = createdAtMilliseconds
        self.passwordUpdatedAtMilliseconds = passwordHash == nil ? nil : createdAtMilliseconds
        self.validSinceSeconds = createdAtMilliseconds / 1000
    }

    init(row: Row) {
        project = row["project"]
        localID = row["local_id"]
        email = row["email"]
        passwordHash = row["password_hash"]
        displayName = row["display_name"]
        emailVerified = row["email_verified"]
        disabled = row["disabled"]
        customAttributes = row["custom_attributes"]
        createdAtMilliseconds = row["created_ms"]
        lastLoginAtMilliseconds = row["last_login_ms"]
        passwordUpdatedAtMilliseconds = row["password_updated_ms"]
        validSinceSeconds = row["valid_since_s"]
    }

    /// The custom claims as a JSON object (empty when none are set).
    var customClaims: [String: JSONValue] {
        guard let customAttributes, let data = customAttributes.data(using: .utf8),
              let claims = try? JSONDecoder().decode([String: JSONValue].self, from: data) else { return [:] }
        return claims
    }
}
