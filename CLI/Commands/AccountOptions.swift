import ArgumentParser
import Foundation

/// Who signs up or in: the email, and where the password comes from. There is deliberately no
/// way to give the password as an argument (see `PasswordReader`); `--password` is recognised
/// only to refuse it without repeating its value.
struct AccountOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The account's email address.", valueName: "email"))
    var email: String

    @Flag(help: "Read the password from the first line of standard input (for scripts), instead of asking for it on the terminal.")
    var passwordStdin = false

    @Option(name: .customLong("password"), parsing: .unconditional, help: ArgumentHelp(visibility: .private))
    var passwordArgument: String?

    func validate() throws {
        if passwordArgument != nil {
            throw ValidationError("--password is not accepted (other users see arguments, and shells keep them): use --password-stdin, or let pixelpipe ask on the terminal")
        }
        guard !email.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--email must not be empty") }
    }

    /// The password, read as the options say.
    func password(confirm: Bool) async throws(CLIError) -> String {
        try await PasswordReader.read(fromStandardInput: passwordStdin, confirm: confirm)
    }
}
