import ArgumentParser

/// `pixelpipe signup --email E`: creates an account on the API's Firebase project and signs in.
struct SignupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signup", abstract: "Create an account (email and password) and sign in with it.",
        discussion: "The password is asked for on the terminal (twice), or read from the first line of standard input with --password-stdin.")

    @OptionGroup var account: AccountOptions
    @OptionGroup var api: APIOptions

    func run() async throws {
        try await AccountSignIn(kind: .signUp, account: account, api: api).run()
    }
}
