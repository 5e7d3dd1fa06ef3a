import GoogleCloud

/// Resource names as requests carry them: split from a REST path, or whole in a gRPC field.
/// One parser, so a name one transport refuses the other refuses with the same message.
extension DocumentName {
    /// `projects/P/databases/D/documents[/ids…]`, one segment each; nil when the segments do
    /// not have that shape. 400 for an invalid project, database, collection or document id.
    static func resolve(_ segments: [String]) throws -> DocumentName? {
        guard segments.count >= 5, segments[0] == "projects", segments[2] == "databases", segments[4] == "documents" else { return nil }
        return try DocumentName(root: try root(project: segments[1], database: segments[3]), path: Array(segments.dropFirst(5)))
    }

    /// A document, collection or database-root name given whole (gRPC's `name` and `parent`);
    /// 400 naming `field` when it does not lie under a database's documents.
    init(resource: String, field: String) throws {
        guard let name = try Self.resolve(resource.split(separator: "/", omittingEmptySubsequences: false).map(String.init)) else {
            throw GoogleAPIError.invalidArgument("\(field): \"\(resource)\" is not a Firestore resource name (projects/P/databases/D/documents/…).")
        }
        self = name
    }

    /// The documents root of the database `projects/P/databases/D` (gRPC's `database`).
    static func root(database: String, field: String) throws -> String {
        let parts = database.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == "projects", parts[2] == "databases" else {
            throw GoogleAPIError.invalidArgument("\(field): \"\(database)\" is not a database name (projects/P/databases/D).")
        }
        return try root(project: parts[1], database: parts[3])
    }

    private static func root(project: String, database: String) throws -> String {
        guard ResourceID.isValidProjectOrLocation(project), !database.isEmpty, !database.contains("/") else {
            throw GoogleAPIError.invalidArgument("Invalid database \"projects/\(project)/databases/\(database)\".")
        }
        return "projects/\(project)/databases/\(database)/documents"
    }
}
