import Runtime

/// Two succeeded images of one job whose perceptual hashes are at most the configured distance
/// apart: `item` looks like the earlier `duplicateOf` (items are `ROW-INDEX`).
struct NearDuplicate: Codable, Sendable, Equatable {
    var item: String
    var duplicateOf: String
    var distance: Int

    /// Every succeeded item paired with the first earlier item (in row, then image order) it is
    /// a near-duplicate of. Pairwise, O(n²) over the job's images: a 10 000-image job is 5·10⁷
    /// XOR-and-popcounts, well under a second.
    static func find(in items: [ItemRecord], threshold: Int) -> [NearDuplicate] {
        let hashed = items
            .filter { $0.status == .succeeded }
            .compactMap { item in item.analysis.map { (id: item.id, row: item.row, index: item.index, hash: $0.perceptualHash) } }
            .sorted { ($0.row, $0.index) < ($1.row, $1.index) }
        var found: [NearDuplicate] = []
        for (position, candidate) in hashed.enumerated() {
            for earlier in hashed[..<position] {
                let distance = candidate.hash.distance(to: earlier.hash)
                if distance <= threshold {
                    found.append(NearDuplicate(item: candidate.id, duplicateOf: earlier.id, distance: distance))
                    break
                }
            }
        }
        return found
    }
}
