/// "Did you mean …?" for a key a document does not define: the known key it most likely
/// misspells. Written here rather than taken from a library because it is twenty lines and
/// nothing the package already depends on offers it.
public enum KeySuggestion {
    /// The known key that `key` most likely misspells, or nil when none is near enough to be a
    /// typo. `aliases` maps words people write instead of a key (`environment` for `env`) to that
    /// key, so that the word and its misspellings (`enviroment`) suggest the key too.
    public static func nearest(to key: String, among known: some Sequence<String>, aliases: [String: String] = [:]) -> String? {
        let typed = key.lowercased()
        // A typo changes about one character in three; more than that is another word.
        let tolerance = max(1, min(3, typed.count / 3))
        var best: (candidate: String, distance: Int)?
        let candidates = known.map { ($0, $0) } + aliases.map { ($0.key, $0.value) }
        for (spelling, candidate) in candidates.sorted(by: { $0.0 < $1.0 }) {
            let distance = Self.distance(typed, spelling.lowercased())
            if distance <= tolerance, distance < best?.distance ?? .max {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// Edits (insertion, deletion, substitution, or swapping two neighbours) turning `a` into
    /// `b`: the optimal string alignment distance, so `widht` is one edit from `width`.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
