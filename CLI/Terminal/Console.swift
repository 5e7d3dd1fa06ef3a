import Foundation

/// Where a command writes: standard output, which may be a terminal (progress redrawn in place,
/// colour) or a pipe or file (plain lines, no escape codes), and standard error.
public struct Console: Sendable {
    /// Whether standard output is a terminal.
    public var isTerminal: Bool
    /// Whether to colour the progress bar: on a terminal, unless `NO_COLOR` is set or `TERM` is `dumb`.
    public var color: Bool
    /// `COLUMNS`, used when the terminal does not tell its width.
    private var columnsVariable: Int?

    /// The console of this process.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> Console {
        let terminal = isatty(STDOUT_FILENO) == 1 && environment["TERM"] != "dumb"
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return Console(isTerminal: terminal, color: terminal && !noColor, columnsVariable: environment["COLUMNS"].flatMap(Int.init))
    }

    /// The terminal's width in columns now (it may change while a job runs); 80 when unknown.
    public var width: Int {
        var size = winsize()
        if isTerminal, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return columnsVariable.flatMap { $0 > 0 ? $0 : nil } ?? 80
    }

    /// Writes `text` to standard output as it is, and flushes it.
    public func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes `line` and a newline to standard output.
    public func line(_ line: String = "") { write(line + "\n") }

    /// Writes `line` and a newline to standard error.
    public func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
