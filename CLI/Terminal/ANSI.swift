/// The few escape sequences the CLI writes, and only to a terminal.
public enum ANSI {
    /// Moves to the start of the line and erases it: the prefix of every redrawn frame.
    public static let redraw = "\r\u{1B}[2K"
    /// Succeeded cells.
    public static let green = "\u{1B}[32m"
    /// Failed cells.
    public static let red = "\u{1B}[31m"
    /// Back to the terminal's colours.
    public static let reset = "\u{1B}[0m"
}
