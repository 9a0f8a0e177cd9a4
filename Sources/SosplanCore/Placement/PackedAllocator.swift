/// Best-fit CPU allocation inside a set of candidate CPUs, after the
/// kubelet's packed allocator: whole NUMA nodes, whole packages, whole
/// last-level-cache groups, then the first cache group that holds the rest
/// (unless that splits more cores), then whole cores, then single threads
/// from as few cores as possible; partly used domains fill first so empty
/// ones stay empty. Seeded with CPUs the owner already has (resize).
/// Work is proportional to the free CPUs, not to the host (4,096-CPU hosts).
struct PackedAllocator {
    let index: TopologyIndex
    /// Every CPU that can be assigned in this round (defines "whole" domains).
    let universe: CPUSet
    /// Each core's threads that can be assigned.
    let assignable: [[Int]]
    /// Per core: how many threads can be assigned, and its node (plain
    /// arrays for the per-owner capacity pass).
    let assignableCount: [Int]
    let coreNode: [Int]
    /// Assignable CPUs per domain id, per level (node, package, cache group).
    private let levels: [Level]

    private struct Level {
        let of: [Int]
        let cpus: [Int: CPUSet]
        let assignableCount: [Int: Int]
    }

    init(index: TopologyIndex, universe: CPUSet) {
        self.index = index
        self.universe = universe
        assignable = index.cores.map { core in core.threads.filter { universe.contains($0) } }
        assignableCount = assignable.map(\.count)
        coreNode = index.cores.map(\.node)
        func level(_ of: [Int], _ cpus: [Int: CPUSet]) -> Level {
            var count: [Int: Int] = [:]
            for cpu in universe where cpu < of.count && of[cpu] >= 0 { count[of[cpu], default: 0] += 1 }
            return Level(of: of, cpus: cpus, assignableCount: count)
        }
        levels = [level(index.nodeOf, index.nodeCPUs), level(index.packageOf, index.packageCPUs), level(index.llcOf, index.llcCPUs)]
    }

    /// Picks `n` CPUs from `free`, keeping `seed` (already the owner's) first.
    /// With `wholeCores`, only cores whose assignable threads are all free
    /// are used, and the count must be met exactly with whole cores.
    func allocate(_ n: Int, from free: CPUSet, seed: CPUSet = CPUSet(), wholeCores: Bool) -> CPUSet? {
        var chosen = seed.intersection(free)
        if chosen.count > n { chosen = trim(chosen, to: n, wholeCores: wholeCores) }
        var need = n - chosen.count
        if need == 0 { return chosen }
        var avail = free.subtracting(chosen)
        if wholeCores { avail = wholeCoreCPUs(avail) }
        guard avail.count >= need else { return nil }

        func take(_ cpus: CPUSet) {
            chosen.formUnion(cpus)
            avail.subtract(cpus)
            need -= cpus.count
        }

        // Whole domains at each level, while the need covers a whole one.
        for level in levels {
            for (id, freeCount) in ordered(level, avail: avail, near: chosen) where need > 0 {
                let size = level.assignableCount[id] ?? 0
                if size > 0, freeCount == size, size <= need { take(level.cpus[id]!.intersection(universe)) }
            }
            if need == 0 { return chosen }
        }
        guard let rest = pickCoresThenThreads(need, from: avail, near: chosen, wholeCores: wholeCores) else { return nil }
        // The first cache group (partly used first) that holds the rest, unless
        // staying inside one group would split more cores than picking freely.
        let freeSplits = splits(rest)
        let caches = levels[2]
        for (id, freeCount) in ordered(caches, avail: avail, near: chosen) where freeCount >= need {
            let inGroup = caches.cpus[id]!.intersection(avail)
            if let picked = pickCoresThenThreads(need, from: inGroup, near: chosen, wholeCores: wholeCores), splits(picked) <= freeSplits {
                take(picked)
                return chosen
            }
        }
        take(rest)
        return chosen
    }

    /// Cores partly inside `cpus` (counting only assignable threads).
    func splits(_ cpus: CPUSet) -> Int {
        var seen = [Bool](repeating: false, count: index.cores.count)
        var n = 0
        for cpu in cpus {
            guard let i = index.coreIndex(cpu), !seen[i] else { continue }
            seen[i] = true
            if !assignable[i].allSatisfy(cpus.contains) { n += 1 }
        }
        return n
    }

    /// Whole free cores while the need covers one, then single threads from
    /// as few cores as possible.
    private func pickCoresThenThreads(_ n: Int, from avail: CPUSet, near: CPUSet, wholeCores: Bool) -> CPUSet? {
        var need = n
        var picked = CPUSet()
        let cores = coresWithin(avail, near: near)
        var partial: [[Int]] = []
        for (i, freeThreads) in cores {
            if freeThreads.count == assignable[i].count, freeThreads.count <= need, need > 0 {
                for cpu in freeThreads { picked.insert(cpu) }
                need -= freeThreads.count
            } else {
                partial.append(freeThreads)
            }
        }
        if need == 0 { return picked }
        if wholeCores { return nil }
        // The core whose free threads just cover the rest (fewest first), else the fullest.
        while need > 0, !partial.isEmpty {
            var best = -1
            for (k, threads) in partial.enumerated() where threads.count >= need {
                if best < 0 || threads.count < partial[best].count { best = k }
            }
            if best < 0 { best = partial.indices.max { partial[$0].count < partial[$1].count }! }
            for cpu in partial[best] where need > 0 { picked.insert(cpu); need -= 1 }
            partial.remove(at: best)
        }
        return need == 0 ? picked : nil
    }

    /// Cores with free threads in `avail` (with those threads), ordered:
    /// cores in cache groups and nodes the owner already uses first, then
    /// partly used cache groups, then by id.
    private func coresWithin(_ avail: CPUSet, near: CPUSet) -> [(Int, [Int])] {
        var slot = [Int](repeating: -1, count: index.cores.count)
        var freeOf: [(key: Int, value: [Int])] = []
        for cpu in avail {
            guard let i = index.coreIndex(cpu) else { continue }
            if slot[i] < 0 { slot[i] = freeOf.count; freeOf.append((i, [])) }
            freeOf[slot[i]].value.append(cpu)
        }
        var nearLLC = Set<Int>(), nearNodes = Set<Int>()
        for cpu in near where cpu < index.llcOf.count { nearLLC.insert(index.llcOf[cpu]); nearNodes.insert(index.nodeOf[cpu]) }
        var llcFree: [Int: Int] = [:]
        for (i, threads) in freeOf { llcFree[index.cores[i].llc, default: 0] += threads.count }
        return freeOf.sorted { a, b in
            let ca = index.cores[a.key], cb = index.cores[b.key]
            let ka = (nearLLC.contains(ca.llc) ? 0 : 1, nearNodes.contains(ca.node) ? 0 : 1, llcFree[ca.llc]!, ca.llc, a.key)
            let kb = (nearLLC.contains(cb.llc) ? 0 : 1, nearNodes.contains(cb.node) ? 0 : 1, llcFree[cb.llc]!, cb.llc, b.key)
            return ka < kb
        }.map { ($0.key, $0.value) }
    }

    /// Domains of a level with free CPUs: those touching the owner's CPUs
    /// first, then by free CPUs ascending (best fit), then by lowest CPU id.
    private func ordered(_ level: Level, avail: CPUSet, near: CPUSet) -> [(Int, Int)] {
        var free: [Int: Int] = [:]
        for cpu in avail where cpu < level.of.count && level.of[cpu] >= 0 { free[level.of[cpu], default: 0] += 1 }
        var touched = Set<Int>()
        for cpu in near where cpu < level.of.count { touched.insert(level.of[cpu]) }
        return free.sorted { a, b in
            let ka = (touched.contains(a.key) ? 0 : 1, a.value, level.cpus[a.key]?.first ?? 0)
            let kb = (touched.contains(b.key) ? 0 : 1, b.value, level.cpus[b.key]?.first ?? 0)
            return ka < kb
        }.map { ($0.key, $0.value) }
    }

    /// The CPUs of cores whose assignable threads are all in `cpus`.
    func wholeCoreCPUs(_ cpus: CPUSet) -> CPUSet {
        var out = CPUSet()
        var seen = [Bool](repeating: false, count: index.cores.count)
        for cpu in cpus {
            guard let i = index.coreIndex(cpu), !seen[i] else { continue }
            seen[i] = true
            let threads = assignable[i]
            if !threads.isEmpty, threads.allSatisfy(cpus.contains) { for t in threads { out.insert(t) } }
        }
        return out
    }

    /// Shrinks a kept set to `n` CPUs, dropping CPUs from the domains where
    /// the owner has the fewest CPUs first (so the rest stays compact).
    func trim(_ cpus: CPUSet, to n: Int, wholeCores: Bool) -> CPUSet {
        var nodeCount: [Int: Int] = [:], llcCount: [Int: Int] = [:]
        for cpu in cpus {
            if let c = index.core(of: cpu) { nodeCount[c.node, default: 0] += 1; llcCount[c.llc, default: 0] += 1 }
        }
        var seen = Set<Int>()
        var cores: [(threads: [Int], key: (Int, Int, Int))] = []
        for cpu in cpus {
            guard let i = index.coreIndex(cpu), seen.insert(i).inserted else { continue }
            let c = index.cores[i]
            cores.append((c.threads.filter(cpus.contains), (-nodeCount[c.node]!, -llcCount[c.llc]!, i)))
        }
        cores.sort { $0.key < $1.key }
        var kept = CPUSet()
        var count = 0
        for core in cores {
            if count + core.threads.count <= n {
                for t in core.threads { kept.insert(t) }
                count += core.threads.count
            } else if !wholeCores {
                for t in core.threads where count < n { kept.insert(t); count += 1 }
            }
        }
        return kept
    }
}
