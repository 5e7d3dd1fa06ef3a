import ArgumentParser
import Foundation

/// `pixelpipe`: submit CSVs and images to the jobs API, follow jobs, read their results.
public struct PixelPipeCommand: AsyncParsableCommand {
    /// The subcommands and the help text.
    public static let configuration = CommandConfiguration(
        commandName: "pixelpipe",
        abstract: "Submit image jobs to PixelPipe and follow them.",
        discussion: """
            Talks to the jobs API: the local emulator's api service by default, or --api URL.
            Sign up or log in first; every other command sends the account's ID token
            (PIXELPIPE_TOKEN, a raw ID token, overrides it for scripts).
            Exit status: 0 every image succeeded; 1 some failed (or the job timed out or
            was cancelled, the API could not be reached, or not signed in); 2 the job or
            the input was rejected (a wrong password too), or the command line is wrong.
            """,
        subcommands: [SignupCommand.self, LoginCommand.self, LogoutCommand.self, WhoamiCommand.self, SubmitCommand.self, ImageCommand.self, JobsCommand.self, StatusCommand.self, ResultsCommand.self, CancelCommand.self, RetryCommand.self]
    )

    public init() {}

    /// Runs the command line `arguments` (without the program name) and returns the exit
    /// status: usage errors exit 2 (argument-parser's own 64 is mapped), `--help` 0.
    public static func run(arguments: [String]) async -> Int32 {
        let console = Console.standard()
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let exit as ExitCode {
            return exit.rawValue
        } catch let error as CLIError {
            console.error(error.message)
            return error.exitStatus
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { console.line(message) }
                return 0
            }
            console.error(message)
            return 2
        }
    }
}
