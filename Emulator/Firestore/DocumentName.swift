import GoogleCloud
/// A document's or collection's resource name, split into the database root
/// (`projects/P/databases/D/documents`) and the alternating collection/document ids below it.
struct DocumentName: Sendable, Hashable {
    var root: String
    var path: [String]

    /// Whether the path names a document (even number of ids) rather than a collection.
    var isDocument: Bool { !path.isEmpty && path.count % 2 == 0 }
    var full: String { path.isEmpty ? root : root + "/" + path.joined(separator: "/") }
    /// The collection that holds this document.
    var parent: String { root + "/" + path.dropLast().joined(separator: "/") }

    init(root: String, path: [String]) throws {
        for id in path {
            guard !id.isEmpty, id != ".", id != "..", !id.contains("/"), id.utf8.count <= 1500,
                  !(id.hasPrefix("__") && id.hasSuffix("__") && id.count >= 4) else {
                throw GoogleAPIError.invalidArgument("Invalid document or collection id \"\(id)\" in \(root)/\(path.joined(separator: "/")).")
            }
        }
        self.root = root
        self.path = path
    }

    /// Parses a full name given in a request body; it must lie under `root`.
    init(full name: String, root: String, field: String) throws {
        let prefix = root + "/"
        guard name.hasPrefix(prefix) else {
            throw GoogleAPIError.invalidArgument("\(field): document name \"\(name)\" is not under \(root).")
        }
        try self.init(root: root, path: name.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init))
        guard isDocument else {
            throw GoogleAPIError.invalidArgument("\(field): \"\(name)\" names a collection, not a document.")
        }
    }
}
