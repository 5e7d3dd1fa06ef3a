import PipelineModel

/// Finding near-duplicates among a job's succeeded images (the pairs are `NearDuplicate`, part
/// of the job contract): each image is paired with the first earlier image (row, then image
/// order) whose perceptual hash is at most the threshold away.
extension NearDuplicate {
    /// Images compared: pairwise is O(n²), and 20 000 images are 2·10⁸ XOR-and-popcounts, about
    /// a quarter of a second; later images of larger jobs are not compared. Only these are kept
    /// while teardown pages through the items (24 bytes each), so memory does not grow with the job.
    static let maxImages = 20_000
    /// Pairs reported: the job document (1 MiB at most in Firestore) and the webhook stay small.
    static let maxPairs = 1_000

    /// One succeeded image, as compactly as the comparison needs it.
    struct Candidate: Sendable, Equatable {
        var row: Int
        var index: Int
        var hash: UInt64

        /// The item's id, `ROW-INDEX`.
        var id: String { "\(row)-\(index)" }
    }

    /// Every candidate paired with the first earlier one it is a near-duplicate of, within
    /// `maxImages` and `maxPairs`. `candidates` are in row, then image order.
    static func find(in candidates: [Candidate], threshold: Int) -> [NearDuplicate] {
        let compared = candidates.prefix(maxImages)
        var found: [NearDuplicate] = []
        for (position, candidate) in compared.enumerated() where found.count < maxPairs {
            for earlier in compared.prefix(position) {
                let distance = (candidate.hash ^ earlier.hash).nonzeroBitCount
                if distance <= threshold {
                    found.append(NearDuplicate(item: candidate.id, duplicateOf: earlier.id, distance: distance))
                    break
                }
            }
        }
        return found
    }
}
