import Foundation
import PixelPipeCLI
import Testing
import TestSupport

/// `signup`, `login`, `logout` and `whoami` of the built binary against `ContractServer` and its
/// scripted Firebase Auth (`ScriptedIdentity`), and the ID token every other command sends:
/// where the sign-in is kept and how privately, when the token is refreshed, and what the user
/// reads when there is no sign-in or it no longer holds. The password is checked to appear in no
/// output and no file.
@Suite("CLI accounts: sign-up, sign-in, the credentials file and the ID token")
struct CLIAccountTests {
    private static let email = "ada@example.com"
    private static let password = "correct horse battery"

    /// `pixelpipe signup|login --email E --password-stdin` with `password` on standard input.
    private static func signIn(
        _ command: String = "signup", email: String = email, password: String = password, port: Int, config: URL
    ) async throws -> CLIRun {
        try await CLIRun.run([command, "--email", email, "--password-stdin", "--api", "http://127.0.0.1:\(port)"],
                             environment: ["PIXELPIPE_CONFIG_DIR": config.path], standardInput: Data((password + "\n").utf8))
    }

    /// `pixelpipe ARGUMENTS --api …` with the credentials in `config`.
    private static func run(_ arguments: [String], port: Int, config: URL, environment: [String: String] = [:]) async throws -> CLIRun {
        try await CLIRun.run(arguments + ["--api", "http://127.0.0.1:\(port)"], environment: environment.merging(["PIXELPIPE_CONFIG_DIR": config.path]) { $1 })
    }

    private static func permissions(_ url: URL) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int) & 0o777
    }

    private static func credentials(_ config: URL, port: Int) throws -> AccountCredentials {
        try #require(try CredentialsStore(directory: config).read().apis["http://127.0.0.1:\(port)"])
    }

    @Test("signup --password-stdin keeps the sign-in in credentials.json, 0600 in a 0700 folder (its parents made too); the password is in no output and no file")
    func signUpKeepsCredentialsPrivately() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("home/.config/pixelpipe")
        let server = ContractServer()
        try await server.run { port in
            let run = try await Self.signIn(port: port, config: config)
            #expect(run.status == 0, "stderr: \(run.stderr)")
            #expect(run.stdout == """
                signed up and signed in to http://127.0.0.1:\(port) as \(Self.email) (uid uid1)
                  credentials: \(config.path)/credentials.json

                """)
            #expect(!(run.stdout + run.stderr).contains(Self.password))

            let file = config.appendingPathComponent("credentials.json")
            #expect(try Self.permissions(file) == 0o600)
            #expect(try Self.permissions(config) == 0o700)
            #expect(try FileManager.default.contentsOfDirectory(atPath: config.path) == ["credentials.json"], "no temporary file left behind")
            #expect(!String(decoding: try Data(contentsOf: file), as: UTF8.self).contains(Self.password))
            let kept = try Self.credentials(config, port: port)
            #expect(kept.email == Self.email && kept.uid == "uid1")
            #expect(kept.idToken == "id-uid1-1" && kept.refreshToken == "refresh-uid1-1")
            #expect(abs(kept.idTokenExpiresAt.timeIntervalSinceNow - 3600) < 120)
            #expect(kept.projectId == "pixelpipe-test" && kept.apiKey == ScriptedIdentity.apiKey)
            #expect(kept.secureTokenURL == "http://127.0.0.1:\(port)/securetoken.googleapis.com/v1")
        }
        // /config.json first, without a token; then Identity Toolkit with the key and the password in the body.
        #expect(server.requests.map(\.path) == ["/config.json", "/identitytoolkit.googleapis.com/v1/accounts:signUp"])
        #expect(server.requests.first?.headers["authorization"] == nil)
        let signUp = try #require(server.requests.last)
        #expect(signUp.query == "key=\(ScriptedIdentity.apiKey)")
        #expect(signUp.json?["email"] as? String == Self.email)
        #expect(signUp.json?["password"] as? String == Self.password)
        #expect(signUp.json?["returnSecureToken"] as? Bool == true)
    }

    @Test("after login every command (submit, image, jobs, status, results, cancel, retry, whoami) sends Authorization: Bearer with the account's ID token")
    func bearerOnEveryCommand() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config")
        let csv = directory.appendingPathComponent("good-two.csv")
        try Data("S. No.,Product Name,Input Image Urls\n1,Lamp,http://images.test/1.jpg\n2,Mug,http://images.test/2.jpg\n".utf8).write(to: csv)
        let photo = directory.appendingPathComponent("photo.jpg")
        try Data([0xFF, 0xD8, 0xFF, 0xD9]).write(to: photo)
        let server = ContractServer()
        try await server.run { port in
            #expect(try await Self.signIn(port: port, config: config).status == 0)
            let login = try await Self.signIn("login", port: port, config: config)
            #expect(login.status == 0, "stderr: \(login.stderr)")
            #expect(login.stdout.hasPrefix("signed in to http://127.0.0.1:\(port) as \(Self.email) (uid uid1)\n"))
            #expect(try Self.credentials(config, port: port).idToken == "id-uid1-2")

            let submitted = try await Self.run(["submit", csv.path], port: port, config: config)
            #expect(submitted.status == 0, "stderr: \(submitted.stderr)")
            let id = try #require(submitted.stdout.firstMatch(of: /job ([0-9a-f]{16}):/).map { String($0.1) })
            for arguments in [["image", photo.path], ["jobs"], ["status", id], ["results", id], ["cancel", id], ["retry", id], ["whoami"]] {
                let run = try await Self.run(arguments, port: port, config: config)
                #expect(run.status == 0, "\(arguments): \(run.stderr)")
            }
        }
        let api = server.apiRequests
        #expect(Set(api.map { "\($0.method) \($0.path.split(separator: "/").prefix(2).joined(separator: "/"))" })
                == ["POST v1/jobs", "POST v1/images", "GET v1/jobs", "GET v1/me"])
        #expect(api.count == 8)
        for request in api { #expect(request.headers["authorization"] == "Bearer id-uid1-2", "\(request.method) \(request.path)") }
        #expect(!server.requests.contains { $0.path.hasPrefix("/securetoken") }, "a token with an hour left is not refreshed")
    }

    @Test("an ID token with less than five minutes left is exchanged for a new one first and the new tokens are saved (still 0600); one with ten minutes left is used as it is")
    func refreshNearExpiry() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config")
        let store = CredentialsStore(directory: config)
        let server = ContractServer()
        try await server.run { port in
            let api = "http://127.0.0.1:\(port)"
            #expect(try await Self.signIn(port: port, config: config).status == 0)
            var kept = try Self.credentials(config, port: port)
            kept.idTokenExpiresAt = Date().addingTimeInterval(4 * 60)
            try store.save(kept, for: api)

            let jobs = try await Self.run(["jobs"], port: port, config: config)
            #expect(jobs.status == 0, "stderr: \(jobs.stderr)")
            let exchange = try #require(server.requests.first { $0.path == "/securetoken.googleapis.com/v1/token" })
            #expect(exchange.method == "POST" && exchange.query == "key=\(ScriptedIdentity.apiKey)")
            #expect(exchange.headers["content-type"] == "application/x-www-form-urlencoded")
            #expect(String(decoding: exchange.body, as: UTF8.self) == "grant_type=refresh_token&refresh_token=refresh-uid1-1")
            #expect(server.apiRequests.last?.headers["authorization"] == "Bearer id-uid1-2")
            let refreshed = try Self.credentials(config, port: port)
            #expect(refreshed.idToken == "id-uid1-2" && refreshed.refreshToken == "refresh-uid1-2")
            #expect(refreshed.idTokenExpiresAt.timeIntervalSinceNow > 3000)
            #expect(try Self.permissions(config.appendingPathComponent("credentials.json")) == 0o600)

            var later = refreshed
            later.idTokenExpiresAt = Date().addingTimeInterval(10 * 60)
            try store.save(later, for: api)
            #expect(try await Self.run(["jobs"], port: port, config: config).status == 0)
            #expect(server.requests.filter { $0.path.hasPrefix("/securetoken") }.count == 1)
            #expect(server.apiRequests.last?.headers["authorization"] == "Bearer id-uid1-2")
        }
    }

    @Test("a token that reaches its last five minutes while submit --wait polls is refreshed mid-command: the requests after it carry the new one")
    func refreshMidWait() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config")
        var csv = "S. No.,Product Name,Input Image Urls\n"
        for row in 1...16 { csv += "\(row),Product \(row),http://images.test/\(row).jpg\n" }
        let file = directory.appendingPathComponent("good-sixteen.csv")
        try Data(csv.utf8).write(to: file)
        let server = ContractServer()
        try await server.run { port in
            #expect(try await Self.signIn(port: port, config: config).status == 0)
            var kept = try Self.credentials(config, port: port)
            // Fresh when the command starts; within the margin 3 s later, while the job (16 reads
            // of 500 ms apart) is still being waited for.
            kept.idTokenExpiresAt = Date().addingTimeInterval(AccountCredentials.refreshMargin + 3)
            try CredentialsStore(directory: config).save(kept, for: "http://127.0.0.1:\(port)")
            let run = try await Self.run(["submit", file.path, "--wait"], port: port, config: config)
            #expect(run.status == 0, "stderr: \(run.stderr)")
        }
        let sent = server.apiRequests.map { $0.headers["authorization"] ?? "none" }
        #expect(sent.first == "Bearer id-uid1-1")
        let switched = try #require(sent.firstIndex(of: "Bearer id-uid1-2"), "\(sent)")
        #expect(sent[..<switched].allSatisfy { $0 == "Bearer id-uid1-1" } && sent[switched...].allSatisfy { $0 == "Bearer id-uid1-2" }, "\(sent)")
        #expect(server.requests.filter { $0.path.hasPrefix("/securetoken") }.count == 1)
    }

    @Test("without a sign-in every API command stops before sending anything: one line saying to log in, exit 1", arguments: [
        ["submit", "/dev/null"], ["image", "/dev/null"], ["jobs"], ["status", "000000000000abc0"], ["results", "000000000000abc0"],
        ["cancel", "000000000000abc0"], ["retry", "000000000000abc0"], ["whoami"],
    ])
    func notSignedIn(arguments: [String]) async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Nothing listens on port 9: the command must not even try.
        let run = try await CLIRun.run(arguments + ["--api", "http://127.0.0.1:9"], environment: ["PIXELPIPE_CONFIG_DIR": directory.path])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr == "error: not signed in to the jobs API at http://127.0.0.1:9 — run `pixelpipe login` (or `pixelpipe signup`)\n")
    }

    @Test("a sign-in that no longer holds is one line telling the user to log in again (exit 1): the API's 401, a refused refresh token, a refused PIXELPIPE_TOKEN")
    func signInEnded() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config")
        let server = ContractServer()
        try await server.run { port in
            let api = "http://127.0.0.1:\(port)"
            #expect(try await Self.signIn(port: port, config: config).status == 0)
            server.identity.revoke(Self.email)

            let refused = try await Self.run(["jobs"], port: port, config: config)
            #expect(refused.status == 1)
            #expect(refused.stderr == "error: the jobs API at \(api) no longer accepts your sign-in (HTTP 401: the request carries no valid Firebase ID token) — sign in again: `pixelpipe login --api \(api)`\n")

            var kept = try Self.credentials(config, port: port)
            kept.idTokenExpiresAt = Date().addingTimeInterval(-60)
            try CredentialsStore(directory: config).save(kept, for: api)
            let expired = try await Self.run(["status", "000000000000abc0"], port: port, config: config)
            #expect(expired.status == 1)
            #expect(expired.stderr == "error: the sign-in of \(Self.email) no longer holds (the refresh token was revoked or has expired) — sign in again: `pixelpipe login --api \(api)`\n")

            let script = try await Self.run(["jobs"], port: port, config: config, environment: ["PIXELPIPE_TOKEN": "not-a-token"])
            #expect(script.status == 1)
            #expect(script.stderr == "error: the jobs API at \(api) refused the ID token in PIXELPIPE_TOKEN (HTTP 401): the request carries no valid Firebase ID token\n")
        }
        // The refused ID token and PIXELPIPE_TOKEN were sent as they were; the refusal was not retried.
        #expect(server.apiRequests.map { $0.headers["authorization"] } == ["Bearer id-uid1-1", "Bearer not-a-token"])
    }

    @Test("a sign-in revoked while submit --wait polls ends the wait at the first 401 (no retries, as for an API restarting), exit 1")
    func revokedMidWait() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config")
        var csv = "S. No.,Product Name,Input Image Urls\n"
        for row in 1...40 { csv += "\(row),Product \(row),http://images.test/\(row).jpg\n" }
        let file = directory.appendingPathComponent("good-forty.csv")
        try Data(csv.utf8).write(to: file)
        let server = ContractServer()
        try await server.run { port in
            #expect(try await Self.signIn(port: port, config: config).status == 0)
            async let waiting = Self.run(["submit", file.path, "--wait"], port: port, config: config)
            _ = try await eventually("the CLI polling the job") { server.apiRequests.count >= 3 ? true : nil }
            server.identity.revoke(Self.email)
            let before = server.apiRequests.count
            let run = try await waiting
            #expect(run.status == 1)
            #expect(run.stderr.hasPrefix("error: the jobs API at http://127.0.0.1:\(port) no longer accepts your sign-in (HTTP 401"), "\(run.stderr)")
            // The refused read (and at most one already on its way), not twenty of them 500 ms apart.
            #expect(server.apiRequests.count - before <= 2, "\(server.apiRequests.count - before) reads after the revocation")
        }
    }

    /// A Firebase refusal and the line the user reads.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var command: String
        var email: String
        var password: String
        var says: String
        var testDescription: String { "\(command) \(email): \(says)" }
    }

    @Test("Firebase's refusals are one line each, exit 2, and never repeat the password", arguments: [
        Refusal(command: "signup", email: CLIAccountTests.email, password: "another password", says: "\(CLIAccountTests.email) already has an account — sign in with `pixelpipe login --email \(CLIAccountTests.email)`"),
        Refusal(command: "login", email: CLIAccountTests.email, password: "wrong password", says: "wrong email or password for \(CLIAccountTests.email)"),
        Refusal(command: "login", email: "bob@example.com", password: "any password", says: "no account for bob@example.com — create one with `pixelpipe signup --email bob@example.com`"),
        Refusal(command: "signup", email: "bob@example.com", password: "abc12", says: "the password is too weak: password should be at least 6 characters"),
        Refusal(command: "signup", email: "not-an-email", password: "long enough", says: "\"not-an-email\" is not an email address"),
    ])
    func refusals(refusal: Refusal) async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config")
        let server = ContractServer()
        try await server.run { port in
            #expect(try await Self.signIn(port: port, config: config).status == 0)
            let run = try await Self.signIn(refusal.command, email: refusal.email, password: refusal.password, port: port, config: config)
            #expect(run.status == 2)
            #expect(run.stdout.isEmpty)
            #expect(run.stderr == "error: \(refusal.says)\n")
            #expect(!run.stderr.contains(refusal.password))
            // The sign-in that was there is untouched.
            #expect(try Self.credentials(config, port: port).idToken == "id-uid1-1")
        }
    }

    @Test("on a terminal the password is asked for with echo off, twice for signup and once for login: the terminal never shows it")
    func terminalPrompt() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config")
        let server = ContractServer()
        try await server.run { port in
            let api = ["--api", "http://127.0.0.1:\(port)"]
            let environment = ["PIXELPIPE_CONFIG_DIR": config.path]
            let signUp = try await CLIRun.run(["signup", "--email", Self.email] + api, environment: environment,
                                              typing: ("Password", [Self.password, Self.password]))
            #expect(signUp.status == 0, "shown: \(signUp.stdout.debugDescription) stderr: \(signUp.stderr)")
            #expect(signUp.stdout.contains("Password: \r\nPassword again: \r\nsigned up and signed in to"), "\(signUp.stdout.debugDescription)")
            #expect(!signUp.stdout.contains(Self.password))

            let differ = try await CLIRun.run(["signup", "--email", "bob@example.com"] + api, environment: environment,
                                              typing: ("Password", [Self.password, "something else"]))
            #expect(differ.status == 2)
            #expect(differ.stdout.hasSuffix("error: the two passwords differ\r\n"), "\(differ.stdout.debugDescription)")

            let login = try await CLIRun.run(["login", "--email", Self.email] + api, environment: environment, typing: ("Password", [Self.password]))
            #expect(login.status == 0, "shown: \(login.stdout.debugDescription)")
            #expect(login.stdout.hasPrefix("Password: \r\nsigned in to"))
            #expect(!login.stdout.contains(Self.password))
        }
        #expect(server.requests.filter { $0.path.hasPrefix("/identitytoolkit") }.map { $0.json?["password"] as? String } == [Self.password, Self.password])
    }

    @Test("without --password-stdin and without a terminal there is no password to read: exit 2 before Firebase is asked; an empty line is no password either")
    func noPassword() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = ContractServer()
        try await server.run { port in
            let noTerminal = try await Self.run(["login", "--email", Self.email], port: port, config: directory)
            #expect(noTerminal.status == 2)
            #expect(noTerminal.stderr == "error: no password: give it on standard input with --password-stdin, or run on a terminal to be asked for it\n")
            let empty = try await Self.signIn("login", password: "", port: port, config: directory)
            #expect(empty.status == 2)
            #expect(empty.stderr == "error: no password given\n")
        }
        #expect(!server.requests.contains { $0.path.hasPrefix("/identitytoolkit") })
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("credentials.json").path))
    }

    @Test("logout forgets the sign-in to one API and says so; the other API's stays; logging out again has nothing to do")
    func logout() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config")
        let (first, second) = (ContractServer(), ContractServer())
        try await first.run { firstPort in
            try await second.run { secondPort in
                #expect(try await Self.signIn(port: firstPort, config: config).status == 0)
                #expect(try await Self.signIn(email: "bob@example.com", port: secondPort, config: config).status == 0)
                let out = try await Self.run(["logout"], port: firstPort, config: config)
                #expect(out.status == 0)
                #expect(out.stdout == "signed out of http://127.0.0.1:\(firstPort) (\(Self.email)): its credentials are removed from \(config.path)/credentials.json\n")
                #expect(try CredentialsStore(directory: config).read().apis.keys.sorted() == ["http://127.0.0.1:\(secondPort)"])
                #expect(try Self.permissions(config.appendingPathComponent("credentials.json")) == 0o600)

                let jobs = try await Self.run(["jobs"], port: firstPort, config: config)
                #expect(jobs.status == 1)
                #expect(jobs.stderr.hasPrefix("error: not signed in to the jobs API at http://127.0.0.1:\(firstPort)"))
                #expect(try await Self.run(["jobs"], port: secondPort, config: config).status == 0)
                let again = try await Self.run(["logout"], port: firstPort, config: config)
                #expect(again.status == 0)
                #expect(again.stdout == "not signed in to http://127.0.0.1:\(firstPort): nothing to do\n")
            }
        }
    }

    @Test("whoami prints the email and uid, and the API's admin flag, limits and usage from /v1/me; without /v1/me (404) what the credentials say")
    func whoami() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config")
        for servesMe in [true, false] {
            let server = ContractServer(identity: ScriptedIdentity(servesMe: servesMe))
            try await server.run { port in
                #expect(try await Self.signIn(port: port, config: config).status == 0)
                let run = try await Self.run(["whoami"], port: port, config: config)
                #expect(run.status == 0, "stderr: \(run.stderr)")
                var expected = ["api:    http://127.0.0.1:\(port)", "email:  \(Self.email)", "uid:    uid1"]
                if servesMe { expected += ["admin:  no", "limits: 3 active jobs, 1000 images a day", "usage:  1 active job, 12 images today"] }
                #expect(run.stdout == expected.joined(separator: "\n") + "\n")
            }
        }
    }
}
