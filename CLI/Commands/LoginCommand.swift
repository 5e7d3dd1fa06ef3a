import ArgumentParser

/// `pixelpipe login --email E`: signs in to an existing account and keeps the sign-in.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login", abstract: "Sign in with an email and password; later commands send the account's ID token.",
        discussion: "The password is asked for on the terminal, or read from the first line of standard input with --password-stdin.")

    @OptionGroup var account: AccountOptions
    @OptionGroup var api: APIOptions

    func run() async throws {
        try await AccountSignIn(kind: .signIn, account: account, api: api).run()
    }
}
