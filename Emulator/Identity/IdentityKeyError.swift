/// The signing key's file cannot be read or written; the message names the file.
struct IdentityKeyError: Error, CustomStringConvertible {
    let path: String
    let problem: String

    var description: String { "Identity signing key file \(path) \(problem)." }
}
