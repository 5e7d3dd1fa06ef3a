import Foundation
import PipelineModel

/// Why a `pixelpipe` command could not do what it was asked, as one line for the terminal and
/// the exit status it ends with: 2 for input the API or the sign-in service refused or usage the
/// CLI refused, 1 for everything else (the API unreachable, an answer that makes no sense, a
/// failed download, no sign-in or one that no longer holds).
public struct CLIError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable {
        case usage, problem, unreachable, unexpectedAnswer, identityToken, download
        case signInRefused, notSignedIn, signInEnded, credentials
    }

    private let code: Code
    /// The line printed on standard error.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// The process exit status this error ends the command with.
    public var exitStatus: Int32 {
        switch code {
        case .usage, .problem, .signInRefused: 2
        case .unreachable, .unexpectedAnswer, .identityToken, .download, .notSignedIn, .signInEnded, .credentials: 1
        }
    }

    /// Whether the error is about the sign-in (none, or one that no longer holds), which asking
    /// again cannot change: a wait for a job ends at once instead of reading the job again.
    public var isSignIn: Bool {
        switch code {
        case .notSignedIn, .signInEnded, .credentials: true
        default: false
        }
    }

    /// Input the CLI refuses before asking the API (a recipe that is not JSON, a missing file).
    public static func usage(_ message: String) -> CLIError { CLIError(.usage, message) }

    /// A `application/problem+json` answer, as one line naming the field, row or header at fault.
    /// Client errors (4xx) exit 2; the API failing (5xx) exits 1.
    public static func problem(_ problem: Problem) -> CLIError {
        var at: [String] = []
        if let field = problem.field { at.append("field \(field)") }
        if let row = problem.row { at.append("row \(row)") }
        if let header = problem.header { at.append("header \(header.debugDescription)") }
        let location = at.isEmpty ? "" : " [\(at.joined(separator: ", "))]"
        let line = "error: \(problem.title) (HTTP \(problem.status))\(location): \(problem.detail)"
        return CLIError(problem.status < 500 ? .problem : .unexpectedAnswer, line)
    }

    /// No answer from the API at `url`.
    public static func unreachable(_ url: String, _ error: any Error) -> CLIError {
        CLIError(.unreachable, "error: no answer from the jobs API at \(url): \(error) (is `emulator up` running? --api or PIXELPIPE_API name another)")
    }

    /// An answer the CLI cannot read.
    public static func unexpectedAnswer(_ what: String) -> CLIError { CLIError(.unexpectedAnswer, "error: \(what)") }

    /// `gcloud auth print-identity-token` failed.
    public static func identityToken(_ what: String) -> CLIError { CLIError(.identityToken, "error: could not get an identity token for the API: \(what)") }

    /// An output could not be downloaded or written.
    public static func download(_ what: String) -> CLIError { CLIError(.download, "error: \(what)") }

    // MARK: Signing in

    /// The sign-in service refused the email or password (`EMAIL_EXISTS`, `INVALID_PASSWORD`, …);
    /// `reason` is already a sentence for the user.
    public static func signInRefused(_ reason: String) -> CLIError { CLIError(.signInRefused, "error: \(reason)") }

    /// No answer from the sign-in service (the API's `/config.json`, Identity Toolkit, Secure Token) at `url`.
    public static func signInUnreachable(_ url: String, _ error: any Error) -> CLIError {
        CLIError(.unreachable, "error: no answer from the sign-in service at \(url): \(error)")
    }

    /// No credentials for the API at `api`, and no `PIXELPIPE_TOKEN`.
    public static func notSignedIn(_ api: String) -> CLIError {
        CLIError(.notSignedIn, "error: not signed in to the jobs API at \(api) — run `pixelpipe login` (or `pixelpipe signup`)")
    }

    /// The sign-in no longer holds: the API answered 401, or Secure Token refused the refresh
    /// token (revoked, the account disabled or deleted); `why` says which.
    public static func signInEnded(_ api: String, _ why: String) -> CLIError {
        CLIError(.signInEnded, "error: \(why) — sign in again: `pixelpipe login --api \(api)`")
    }

    /// The API answered 401 to the ID token `PIXELPIPE_TOKEN` gave (expired, or not one of this project's).
    public static func tokenRefused(_ api: String, _ detail: String) -> CLIError {
        CLIError(.signInEnded, "error: the jobs API at \(api) refused the ID token in PIXELPIPE_TOKEN (HTTP 401): \(detail)")
    }

    /// The credentials file could not be read or written.
    public static func credentials(_ what: String) -> CLIError { CLIError(.credentials, "error: \(what)") }
}
