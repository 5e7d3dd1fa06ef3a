import PipelineModel

/// Two succeeded images of one job whose perceptual hashes are at most the configured distance
/// apart: `item` looks like the earlier `duplicateOf` (items are `ROW-INDEX`).
struct NearDuplicate: Codable, Sendable, Equatable {
    var item: String
    var duplicateOf: String
    var distance: Int

    /// Images compared: pairwise is O(n²), and 20 000 images are 2·10⁸ XOR-and-popcounts, about
    /// a quarter of a second; later images of larger jobs are not compared.
    static let maxImages = 20_000
    /// Pairs reported: the job document (1 MiB at most in Firestore) and the webhook stay small.
    static let maxPairs = 1_000

    /// Every succeeded item paired with the first earlier item (in row, then image order) it is
    /// a near-duplicate of, within `maxImages` and `maxPairs`.
    static func find(in items: [ItemRecord], threshold: Int) -> [NearDuplicate] {
        let hashed = items
            .filter { $0.status == .succeeded }
            .compactMap { item in item.analysis.map { (id: item.id, row: item.row, index: item.index, hash: $0.perceptualHash) } }
            .sorted { ($0.row, $0.index) < ($1.row, $1.index) }
            .prefix(maxImages)
        var found: [NearDuplicate] = []
        for (position, candidate) in hashed.enumerated() where found.count < maxPairs {
            for earlier in hashed.prefix(position) {
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
