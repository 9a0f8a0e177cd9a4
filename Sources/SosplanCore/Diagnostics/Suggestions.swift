/// "Did you mean" candidates for a mistyped word: close by edit distance, or
/// equal once case, `_` and `-` are ignored (`cpu_weight` -> `cpuWeight`).
public enum Suggestions {
    /// The best candidates for `word`, closest first (at most two).
    public static func closest(to word: String, in candidates: [String]) -> [String] {
        // Nothing is within three edits of a word much longer than every candidate.
        guard word.count <= (candidates.map(\.count).max() ?? 0) + 3 else { return [] }
        let folded = fold(word)
        if let same = candidates.first(where: { fold($0) == folded }) { return [same] }
        let limit = word.count <= 3 ? 1 : (word.count <= 6 ? 2 : 3)
        var unique: [String] = []
        for c in candidates where !unique.contains(c) { unique.append(c) }
        let scored = unique.map { ($0, distance(folded, fold($0))) }.filter { $0.1 <= limit }
        let best = scored.map(\.1).min()
        return scored.filter { $0.1 == best }.prefix(2).map(\.0)
    }

    /// `did you mean 'x'?` / `did you mean 'x' or 'y'?`, or nil.
    public static func hint(for word: String, in candidates: [String]) -> String? {
        let found = closest(to: word, in: candidates)
        guard !found.isEmpty else { return nil }
        return "did you mean " + found.map { "'\($0)'" }.joined(separator: " or ") + "?"
    }

    static func fold(_ s: String) -> [Character] {
        s.lowercased().filter { $0 != "_" && $0 != "-" }
    }

    /// Optimal string alignment distance: insert, delete, substitute, and
    /// swap two neighbours (the commonest typo) each cost 1.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var d = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d = min(d, before[j - 2] + 1) }
                current[j] = d
            }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count]
    }
}
