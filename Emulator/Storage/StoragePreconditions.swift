import GoogleCloud
/// `ifGenerationMatch`, `ifGenerationNotMatch`, `ifMetagenerationMatch` and
/// `ifMetagenerationNotMatch`, checked against the live object (nil: none).
struct StoragePreconditions: Sendable, Codable {
    var ifGenerationMatch: Int64?
    var ifGenerationNotMatch: Int64?
    var ifMetagenerationMatch: Int64?
    var ifMetagenerationNotMatch: Int64?

    init(query: APIQuery) throws {
        ifGenerationMatch = try query.int64("ifGenerationMatch")
        ifGenerationNotMatch = try query.int64("ifGenerationNotMatch")
        ifMetagenerationMatch = try query.int64("ifMetagenerationMatch")
        ifMetagenerationNotMatch = try query.int64("ifMetagenerationNotMatch")
    }

    /// Throws 412 when a precondition does not hold for `live`. `ifGenerationMatch=0` holds
    /// only when there is no live object; `ifGenerationNotMatch=0` only when there is one.
    func check(_ live: StoredObject?) throws {
        var holds = true
        if let expected = ifGenerationMatch {
            holds = holds && (expected == 0 ? live == nil : live?.generation == expected)
        }
        if let excluded = ifGenerationNotMatch {
            holds = holds && (excluded == 0 ? live != nil : live?.generation != excluded)
        }
        if let expected = ifMetagenerationMatch {
            holds = holds && live?.metageneration == expected
        }
        if let excluded = ifMetagenerationNotMatch {
            holds = holds && live.map { $0.metageneration != excluded } ?? true
        }
        guard holds else {
            throw GoogleAPIError.preconditionFailed("At least one of the pre-conditions you specified did not hold.")
        }
    }
}
