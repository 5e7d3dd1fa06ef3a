import Foundation
import PixelPipeCLI
import Testing
import TestSupport

/// Where the credentials file is, how privately it is written, and how Firebase's refusals read.
@Suite("Credentials store")
struct CredentialsStoreTests {
    @Test("PIXELPIPE_CONFIG_DIR wins over XDG_CONFIG_HOME, which wins over HOME; a relative XDG_CONFIG_HOME is ignored", arguments: [
        (["PIXELPIPE_CONFIG_DIR": "/tmp/pp", "XDG_CONFIG_HOME": "/x", "HOME": "/h"], "/tmp/pp/credentials.json"),
        (["XDG_CONFIG_HOME": "/x", "HOME": "/h"], "/x/pixelpipe/credentials.json"),
        (["XDG_CONFIG_HOME": "relative", "HOME": "/h"], "/h/.config/pixelpipe/credentials.json"),
        (["PIXELPIPE_CONFIG_DIR": "", "HOME": "/h"], "/h/.config/pixelpipe/credentials.json"),
    ])
    func location(environment: [String: String], file: String) throws {
        #expect(try CredentialsStore.located(environment: environment).file.path == file)
    }

    @Test("a write makes the folder 0700 (taking access away from an existing one) and the file 0600, and leaves no temporary file")
    func privateWrite() throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = directory.appendingPathComponent("shared")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        let store = CredentialsStore(directory: folder)
        let credentials = AccountCredentials(
            email: "ada@example.com", uid: "u1", refreshToken: "r", idToken: "i", idTokenExpiresAt: Date(timeIntervalSince1970: 1_800_000_000),
            projectId: "p", apiKey: "k", secureTokenURL: "http://127.0.0.1:1/securetoken.googleapis.com/v1")
        try store.save(credentials, for: "http://127.0.0.1:8086")
        try store.save(credentials, for: "https://api.example.com")
        let attributes = { (url: URL) in (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int ?? -1) & 0o777 }
        #expect(try attributes(folder) == 0o700)
        #expect(try attributes(store.file) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["credentials.json"])
        #expect(try store.read().apis.count == 2)
        #expect(try store.credentials(for: "https://api.example.com") == credentials)
    }

    @Test("a file that is not PixelPipe's credentials is an error naming it, exit 1")
    func unreadable() throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = CredentialsStore(directory: directory)
        try Data("not json".utf8).write(to: store.file)
        #expect {
            _ = try store.read()
        } throws: { error in
            (error as? CLIError)?.message == "error: \(store.file.path) is not a credentials file PixelPipe wrote (remove it and sign in again)"
                && (error as? CLIError)?.exitStatus == 1
        }
    }

    @Test("Firebase Auth's error messages as sentences", arguments: [
        ("EMAIL_EXISTS", "a@b.c already has an account — sign in with `pixelpipe login --email a@b.c`"),
        ("INVALID_PASSWORD", "wrong email or password for a@b.c"),
        ("INVALID_LOGIN_CREDENTIALS", "wrong email or password for a@b.c"),
        ("EMAIL_NOT_FOUND", "no account for a@b.c — create one with `pixelpipe signup --email a@b.c`"),
        ("WEAK_PASSWORD : Password should be at least 6 characters", "the password is too weak: password should be at least 6 characters"),
        ("USER_DISABLED", "the account a@b.c is disabled"),
        ("INVALID_EMAIL", "\"a@b.c\" is not an email address"),
        ("SOMETHING_NEW : details", "the sign-in service refused: SOMETHING_NEW : details"),
    ])
    func refusal(message: String, sentence: String) {
        #expect(FirebaseAuthRefusal.sentence(for: message, email: "a@b.c") == sentence)
    }
}
