/// The few escape sequences the CLI writes, and only to a terminal.
public enum ANSI {
    /// Moves to the start of the line and erases it: the prefix of every redrawn frame.
    public static let redraw = "\r\u{1B}[2K"
    public static let green = "\u{1B}[32m"
    public static let red = "\u{1B}[31m"
    public static let bold = "\u{1B}[1m"
    public static let reset = "\u{1B}[0m"
}
