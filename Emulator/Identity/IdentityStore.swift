import Foundation
import GoogleCloud
import GRDB

/// Accounts and refresh tokens in SQLite. Emails are unique per project (stored lowercased, as
/// Identity Toolkit compares them). A refresh token is kept only as its SHA-256 digest, so the
/// database never holds a usable token; deleting an account deletes its refresh tokens.
struct IdentityStore: Sendable {
    let store: EmulatorStore

    static func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-identity") { db in
            try db.execute(sql: """
                CREATE TABLE identity_accounts (
                    project TEXT NOT NULL, local_id TEXT NOT NULL, email TEXT, password_hash TEXT, display_name TEXT,
                    email_verified INTEGER NOT NULL DEFAULT 0, disabled INTEGER NOT NULL DEFAULT 0, custom_attributes TEXT,
                    created_ms INTEGER NOT NULL, last_login_ms INTEGER, password_updated_ms INTEGER, valid_since_s INTEGER NOT NULL,
                    PRIMARY KEY (project, local_id)) WITHOUT ROWID;
                CREATE UNIQUE INDEX identity_accounts_email ON identity_accounts(project, email);
                CREATE TABLE identity_refresh_tokens (
                    digest TEXT PRIMARY KEY, project TEXT NOT NULL, local_id TEXT NOT NULL,
                    auth_time_s INTEGER NOT NULL, created_ms INTEGER NOT NULL) WITHOUT ROWID;
                CREATE INDEX identity_refresh_tokens_account ON identity_refresh_tokens(project, local_id);
                """)
        }
    }

    // MARK: Accounts

    /// Adds `account`; `EMAIL_EXISTS` or `DUPLICATE_LOCAL_ID` when either is taken in its project.
    func create(_ account: IdentityAccount) async throws {
        try await store.write { db in
            if try Self.account(project: account.project, localID: account.localID, in: db) != nil { throw GoogleAPIError.duplicateLocalID }
            if let email = account.email, try Self.account(project: account.project, email: email, in: db) != nil { throw GoogleAPIError.emailExists }
            try Self.save(account, in: db)
        }
    }

    /// Replaces the stored account with `account`; `EMAIL_EXISTS` when its new email is another's.
    func update(_ account: IdentityAccount) async throws {
        try await store.write { db in
            guard try Self.account(project: account.project, localID: account.localID, in: db) != nil else { throw GoogleAPIError.userNotFound }
            if let email = account.email, let other = try Self.account(project: account.project, email: email, in: db), other.localID != account.localID {
                throw GoogleAPIError.emailExists
            }
            try Self.save(account, in: db)
        }
    }

    /// Deletes the account and every refresh token issued to it; `USER_NOT_FOUND` when absent.
    func delete(project: String, localID: String) async throws {
        try await store.write { db in
            try db.execute(sql: "DELETE FROM identity_accounts WHERE project = ? AND local_id = ?", arguments: [project, localID])
            guard db.changesCount > 0 else { throw GoogleAPIError.userNotFound }
            try db.execute(sql: "DELETE FROM identity_refresh_tokens WHERE project = ? AND local_id = ?", arguments: [project, localID])
        }
    }

    func account(project: String, localID: String) async throws -> IdentityAccount? {
        try await store.read { db in try Self.account(project: project, localID: localID, in: db) }
    }

    func account(project: String, email: String) async throws -> IdentityAccount? {
        try await store.read { db in try Self.account(project: project, email: email, in: db) }
    }

    /// Notes a successful sign-in.
    func recordSignIn(project: String, localID: String, atMilliseconds: Int64) async throws {
        try await store.write { db in
            try db.execute(sql: "UPDATE identity_accounts SET last_login_ms = ? WHERE project = ? AND local_id = ?",
                           arguments: [atMilliseconds, project, localID])
        }
    }

    // MARK: Refresh tokens

    /// Remembers a refresh token (by its digest) for the account, with the sign-in time it carries.
    func addRefreshToken(digest: String, project: String, localID: String, authTimeSeconds: Int64, createdAtMilliseconds: Int64) async throws {
        try await store.write { db in
            try db.execute(sql: """
                INSERT INTO identity_refresh_tokens(digest, project, local_id, auth_time_s, created_ms) VALUES (?, ?, ?, ?, ?)
                """, arguments: [digest, project, localID, authTimeSeconds, createdAtMilliseconds])
        }
    }

    /// The account and sign-in time a refresh token digest was issued for, if it is known.
    func refreshToken(digest: String) async throws -> (project: String, localID: String, authTimeSeconds: Int64)? {
        try await store.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT project, local_id, auth_time_s FROM identity_refresh_tokens WHERE digest = ?",
                                             arguments: [digest]) else { return nil }
            return (row["project"], row["local_id"], row["auth_time_s"])
        }
    }

    /// Forgets every refresh token of the account (a new password revokes them).
    func deleteRefreshTokens(project: String, localID: String) async throws {
        try await store.write { db in
            try db.execute(sql: "DELETE FROM identity_refresh_tokens WHERE project = ? AND local_id = ?", arguments: [project, localID])
        }
    }

    // MARK: Rows

    private static func account(project: String, localID: String, in db: Database) throws -> IdentityAccount? {
        try Row.fetchOne(db, sql: "SELECT * FROM identity_accounts WHERE project = ? AND local_id = ?", arguments: [project, localID])
            .map(IdentityAccount.init(row:))
    }

    private static func account(project: String, email: String, in db: Database) throws -> IdentityAccount? {
        try Row.fetchOne(db, sql: "SELECT * FROM identity_accounts WHERE project = ? AND email = ?", arguments: [project, email.lowercased()])
            .map(IdentityAccount.init(row:))
    }

    private static func save(_ account: IdentityAccount, in db: Database) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO identity_accounts(project, local_id, email, password_hash, display_name, email_verified, disabled,
                custom_attributes, created_ms, last_login_ms, password_updated_ms, valid_since_s)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [account.project, account.localID, account.email?.lowercased(), account.passwordHash, account.displayName,
                             account.emailVerified, account.disabled, account.customAttributes, account.createdAtMilliseconds,
                             account.lastLoginAtMilliseconds, account.passwordUpdatedAtMilliseconds, account.validSinceSeconds])
    }
}
