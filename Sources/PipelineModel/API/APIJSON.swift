import Foundation

/// How the jobs API writes and reads its JSON: sorted keys, slashes unescaped.
public enum APIJSON {
    /// The encoder of every API answer.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The decoder of API answers (the CLI and the tests read them with it).
    public static var decoder: JSONDecoder { JSONDecoder() }
}
