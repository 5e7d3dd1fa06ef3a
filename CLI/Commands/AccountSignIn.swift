import Foundation
import GoogleCloud

/// What `signup` and `login` share: learn how to sign in to the API (`GET /config.json`), read
/// the password, ask Firebase Auth, and keep the sign-in in the credentials file.
struct AccountSignIn {
    enum Kind {
        /// `accounts:signUp`: a new account.
        case signUp
        /// `accounts:signInWithPassword`: an existing one.
        case signIn
    }

    let kind: Kind
    let account: AccountOptions
    let api: APIOptions

    /// Signs up or in and prints who is signed in where (never a token, never the password).
    func run() async throws(CLIError) {
        let store = try CredentialsStore.located(environment: ProcessInfo.processInfo.environment)
        let http = HTTPClient()
        let endpoint = try await api.endpoint(http: http)
        // The API is asked first, so a wrong --api fails before anyone types a password.
        let configuration = try await SignInConfiguration.fetch(from: endpoint, http: http, headers: try await api.gcloudHeaders())
        let password = try await account.password(confirm: kind == .signUp)
        let auth = FirebaseAuthClient(http: http)
        let email = account.email.trimmingCharacters(in: .whitespaces)
        let credentials = kind == .signUp
            ? try await auth.signUp(email: email, password: password, configuration: configuration)
            : try await auth.signIn(email: email, password: password, configuration: configuration)
        try store.save(credentials, for: endpoint.baseURL)
        let console = Console.standard()
        console.line("\(kind == .signUp ? "signed up and signed in" : "signed in") to \(endpoint.baseURL) as \(credentials.email) (uid \(credentials.uid))")
        console.line("  credentials: \(store.file.path)")
    }
}
