/// The data directory or one of its database files could not be created or made private,
/// naming the path and what the system said.
struct DataDirectoryError: Error, Equatable, CustomStringConvertible {
    /// The directory or file concerned.
    var path: String
    var problem: String

    var description: String { "\(path): \(problem)" }
}
