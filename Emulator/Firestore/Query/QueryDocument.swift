import GoogleCloud

/// A stored document as a query reads it: its name is the value of `__name__`.
struct QueryDocument: Sendable {
    var name: String
    var fields: [String: FirestoreValue]
    var createTime: GoogleTimestamp
    var updateTime: GoogleTimestamp

    /// The value at `path`, the document's name for `__name__`; nil when the field is missing.
    func value(at path: FieldPath) -> FirestoreValue? {
        path.isDocumentName ? .reference(name) : path.value(in: fields)
    }

    /// The document as the REST API shows it, keeping only `projection`'s fields when given.
    func resource(projection: [FieldPath]?) -> GoogleCloud.FirestoreDocument {
        var shown = fields
        if let projection {
            shown = [:]
            for path in projection where !path.isDocumentName {
                if let value = path.value(in: fields) { path.set(value, in: &shown) }
            }
        }
        var document = GoogleCloud.FirestoreDocument(name: name, fields: shown)
        if shown.isEmpty, projection != nil { document.fields = nil }
        document.createTime = createTime.rfc3339
        document.updateTime = updateTime.rfc3339
        return document
    }
}

extension FieldPath {
    /// `__name__`, the document's own name.
    var isDocumentName: Bool { segments == ["__name__"] }
}
