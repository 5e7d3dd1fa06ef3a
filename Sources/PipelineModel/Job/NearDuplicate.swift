/// Two succeeded images of one job whose perceptual hashes are at most the configured distance
/// apart: `item` looks like the earlier `duplicateOf` (items are `ROW-INDEX`). Teardown finds
/// them, stores them on the job document and reports them in the job's JSON.
public struct NearDuplicate: Codable, Sendable, Equatable {
    public var item: String
    public var duplicateOf: String
    public var distance: Int

    public init(item: String, duplicateOf: String, distance: Int) {
        self.item = item
        self.duplicateOf = duplicateOf
        self.distance = distance
    }
}
