import Dispatch
import Foundation

/// The password of `signup` and `login`: one line of standard input with `--password-stdin`
/// (for scripts: `printf %s "$PW" | pixelpipe login --email E --password-stdin`), else asked for
/// on the terminal with echo off. Never an argument (other users see arguments in `ps`, and
/// shells keep them in history), and never printed.
enum PasswordReader {
    /// The password, from standard input when `fromStandardInput`, else from the terminal;
    /// with `confirm` (a new account) the terminal asks twice and both must match.
    static func read(fromStandardInput: Bool, confirm: Bool) async throws(CLIError) -> String {
        let password: String?
        if fromStandardInput {
            password = await OwnThread.run { readLine(strippingNewline: true) }
        } else {
            guard isatty(STDIN_FILENO) == 1 else {
                throw .usage("error: no password: give it on standard input with --password-stdin, or run on a terminal to be asked for it")
            }
            password = await OwnThread.run { prompt("Password: ") }
            if confirm, let password {
                let again = await OwnThread.run { prompt("Password again: ") }
                guard again == password else { throw .usage("error: the two passwords differ") }
            }
        }
        guard let password, !password.isEmpty else { throw .usage("error: no password given") }
        return password
    }

    /// Writes `text` to standard error (standard output stays the command's), reads one line of
    /// the terminal with echo off, and puts the terminal back as it was — also when the reading
    /// is interrupted with Ctrl-C, which then ends the command (status 130, as a shell reports it).
    private static func prompt(_ text: String) -> String? {
        FileHandle.standardError.write(Data(text.utf8))
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { return readLine(strippingNewline: true) }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        quiet.c_lflag |= tcflag_t(ECHONL)
        let restore = saved
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupt.setEventHandler {
            var modes = restore
            tcsetattr(STDIN_FILENO, TCSANOW, &modes)
            FileHandle.standardError.write(Data("\n".utf8))
            exit(130)
        }
        interrupt.resume()
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            interrupt.cancel()
            signal(SIGINT, SIG_DFL)
        }
        return readLine(strippingNewline: true)
    }
}
