/// Which of IHK's reserved chunks to name in `ihkconfig 0 release mem`:
/// the kernel frees only a free chunk whose size is exactly an item's
/// (ihk @3114d9e `smp-driver.c:3953-3984`), so a release must list chunks
/// `query mem` printed, never per-node totals.
public enum IHKChunkSelection {
    /// Chunks of `pool` on `node` whose sizes add up to exactly `bytes` (a
    /// subset sum over 4 MiB units), or nil when no such subset exists.
    public static func chunks(_ pool: [MemoryChunk], node: Int, adding bytes: UInt64) -> [MemoryChunk]? {
        if bytes == 0 { return [] }
        let unit: UInt64 = 4 << 20
        let candidates = pool.filter { $0.node == node }
        let total = candidates.reduce(0) { $0 + $1.bytes }
        if total == bytes { return candidates }
        guard total > bytes, bytes % unit == 0, candidates.allSatisfy({ $0.bytes % unit == 0 }) else {
            return exactWithoutUnits(candidates, bytes)
        }
        // reach[i][s]: the first i chunks can add up to s units.
        let target = Int(bytes / unit)
        var reach = [[Bool]](repeating: [], count: candidates.count + 1)
        reach[0] = [Bool](repeating: false, count: target + 1)
        reach[0][0] = true
        for (i, c) in candidates.enumerated() {
            let w = Int(c.bytes / unit)
            var row = reach[i]
            if w <= target {
                for s in stride(from: target, through: w, by: -1) where reach[i][s - w] { row[s] = true }
            }
            reach[i + 1] = row
        }
        guard reach[candidates.count][target] else { return nil }
        var picked: [MemoryChunk] = []
        var s = target
        for i in stride(from: candidates.count, to: 0, by: -1) where !reach[i - 1][s] {
            picked.append(candidates[i - 1])
            s -= Int(candidates[i - 1].bytes / unit)
        }
        return picked.reversed()
    }

    /// Without 4 MiB units (a foreign pool): a single chunk of that size, if any.
    static func exactWithoutUnits(_ candidates: [MemoryChunk], _ bytes: UInt64) -> [MemoryChunk]? {
        candidates.first { $0.bytes == bytes }.map { [$0] }
    }

    /// What `pool` holds beyond `keep`, per node, as chunks to release;
    /// `unreleasable` lists nodes where no exact subset exists (their
    /// extra memory stays reserved and is reported).
    public static func beyond(_ pool: [MemoryChunk], keeping keep: [MemoryChunk]) -> (release: [MemoryChunk], unreleasable: [MemoryChunk]) {
        var release: [MemoryChunk] = []
        var stuck: [MemoryChunk] = []
        let kept = Dictionary(MemoryChunk.merged(keep).map { ($0.node, $0.bytes) }, uniquingKeysWith: +)
        for have in MemoryChunk.merged(pool) {
            let k = kept[have.node] ?? 0
            guard have.bytes > k else { continue }
            if let picked = chunks(pool, node: have.node, adding: have.bytes - k) {
                release += picked
            } else {
                stuck.append(MemoryChunk(node: have.node, bytes: have.bytes - k))
            }
        }
        return (release, stuck)
    }
}
