import GoogleCloud

/// Pub/Sub resource names (`projects/P/topics/T`, `…/subscriptions/S`, `…/snapshots/N`), checked
/// as Pub/Sub checks them. REST builds them from path segments, gRPC reads them whole from the
/// request; both refuse the same ids with the same message.
enum PubSubName {
    /// `projects/P/KIND/ID`, after checking the project and the id.
    static func make(project: String, kind: String, id: String) throws -> String {
        guard ResourceID.isValidProjectOrLocation(project) else { throw GoogleAPIError.invalidArgument("Invalid project id \"\(project)\".") }
        guard ResourceID.isValidPubSub(id) else {
            throw GoogleAPIError.invalidArgument("Invalid [\(kind)] name: (name=projects/\(project)/\(kind)/\(id)); ids are 3-255 letters, digits or -_.~+% starting with a letter.")
        }
        return "projects/\(project)/\(kind)/\(id)"
    }

    /// A full name of `kind` as a request carries it; 400 when it is not one.
    static func parse(_ name: String, kind: String) throws -> String {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "projects", parts[2] == kind else {
            throw GoogleAPIError.invalidArgument("Invalid [\(kind)] name: (name=\(name)); expected projects/PROJECT/\(kind)/ID.")
        }
        return try make(project: String(parts[1]), kind: kind, id: String(parts[3]))
    }

    /// The project of `projects/P`, as list requests carry it.
    static func project(_ name: String) throws -> String {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "projects", ResourceID.isValidProjectOrLocation(String(parts[1])) else {
            throw GoogleAPIError.invalidArgument("Invalid project name: (name=\(name)); expected projects/PROJECT.")
        }
        return String(parts[1])
    }
}
