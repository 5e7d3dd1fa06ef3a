/// How log lines are written to stdout.
public enum LogFormat: String, Sendable, CaseIterable {
    /// JSON when stdout is not a terminal, text when it is.
    case automatic = "auto"
    /// One Cloud Logging structured JSON object per line.
    case json
    /// One readable line per entry, for people at a terminal.
    case text
}
