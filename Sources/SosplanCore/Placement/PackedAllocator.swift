/// Best-fit CPU allocation inside a set of candidate CPUs, after the
/// kubelet's packed allocator: whole NUMA nodes, whole packages, whole
/// last-level-cache groups, then the first cache group that holds the rest,
/// then whole cores, then single threads; partly used domains fill first so
/// empty ones stay empty. Seeded with CPUs the owner already has (resize).
struct PackedAllocator {
    let index: TopologyIndex
    /// Every CPU that can be assigned in this round (defines "whole" domains).
    let universe: CPUSet

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
        for domains in [index.nodeCPUs, index.packageCPUs, index.llcCPUs] {
            for cpus in orderedDomains(domains, avail: avail, near: chosen) where need > 0 {
                let whole = cpus.intersection(universe)
                if !whole.isEmpty, whole.isSubset(of: avail), whole.count <= need { take(whole) }
            }
            if need == 0 { return chosen }
        }
        guard let rest = pickCoresThenThreads(need, from: avail, near: chosen, wholeCores: wholeCores) else { return nil }
        // The first cache group (partly used first) that holds the rest, unless
        // staying inside one group would split more cores than picking freely.
        let freeSplits = index.splitCores(rest, within: universe)
        for cpus in orderedDomains(index.llcCPUs, avail: avail, near: chosen) {
            let inGroup = cpus.intersection(avail)
            if inGroup.count >= need, let picked = pickCoresThenThreads(need, from: inGroup, near: chosen, wholeCores: wholeCores),
                index.splitCores(picked, within: universe) <= freeSplits
            {
                take(picked)
                return chosen
            }
        }
        take(rest)
        return chosen
    }

    /// Whole free cores while the need covers one, then single threads
    /// (threads of partly used cores first).
    private func pickCoresThenThreads(_ n: Int, from avail: CPUSet, near: CPUSet, wholeCores: Bool) -> CPUSet? {
        var need = n
        var picked = CPUSet()
        let cores = coresWithin(avail, near: near)
        for core in cores where need > 0 {
            let threads = core.threads.intersection(universe)
            if threads.isSubset(of: avail), threads.count <= need {
                picked.formUnion(threads)
                need -= threads.count
            }
        }
        if need == 0 { return picked }
        if wholeCores { return nil }
        // Threads, touching as few cores as possible: the core whose free
        // threads just cover the rest (fewest first), else the fullest core.
        var partial = coresWithin(avail.subtracting(picked), near: near)
            .map { $0.threads.intersection(avail).subtracting(picked) }.filter { !$0.isEmpty }
        while need > 0, !partial.isEmpty {
            let i = partial.indices.filter { partial[$0].count >= need }.min { partial[$0].count < partial[$1].count }
                ?? partial.indices.max { partial[$0].count < partial[$1].count }!
            for cpu in partial[i] where need > 0 { picked.insert(cpu); need -= 1 }
            partial.remove(at: i)
        }
        return need == 0 ? picked : nil
    }

    /// Cores with free threads in `avail`, ordered: cores in cache groups
    /// and nodes the owner already uses first, then partly used groups.
    private func coresWithin(_ avail: CPUSet, near: CPUSet) -> [TopologyIndex.Core] {
        var seen = Set<Int>()
        var cores: [TopologyIndex.Core] = []
        for cpu in avail {
            guard let i = index.coreOfCPU[cpu], seen.insert(i).inserted else { continue }
            cores.append(index.cores[i])
        }
        let nearLLC = Set(near.compactMap { index.core(of: $0)?.llc })
        let nearNodes = Set(near.compactMap { index.core(of: $0)?.node })
        var llcFree: [Int: Int] = [:]
        for core in cores { llcFree[core.llc, default: 0] += core.threads.intersection(avail).count }
        return cores.sorted { a, b in
            let ka = (nearLLC.contains(a.llc) ? 0 : 1, nearNodes.contains(a.node) ? 0 : 1, llcFree[a.llc]!, a.llc, a.threads.first!)
            let kb = (nearLLC.contains(b.llc) ? 0 : 1, nearNodes.contains(b.node) ? 0 : 1, llcFree[b.llc]!, b.llc, b.threads.first!)
            return ka < kb
        }
    }

    /// Domains with free CPUs: those touching the owner's CPUs first, then
    /// by free CPUs ascending (best fit), then by lowest CPU id.
    private func orderedDomains(_ domains: [Int: CPUSet], avail: CPUSet, near: CPUSet) -> [CPUSet] {
        domains.values
            .map { (cpus: $0, free: $0.intersection(avail).count, near: $0.isDisjoint(with: near) ? 1 : 0) }
            .filter { $0.free > 0 }
            .sorted { ($0.near, $0.free, $0.cpus.first ?? 0) < ($1.near, $1.free, $1.cpus.first ?? 0) }
            .map(\.cpus)
    }

    /// The CPUs of cores whose assignable threads are all in `cpus`.
    func wholeCoreCPUs(_ cpus: CPUSet) -> CPUSet {
        var out = CPUSet()
        for core in index.cores {
            let threads = core.threads.intersection(universe)
            if !threads.isEmpty, threads.isSubset(of: cpus) { out.formUnion(threads) }
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
        // Order cores from most to least worth keeping.
        var seen = Set<Int>()
        var cores: [(threads: CPUSet, key: (Int, Int, Int))] = []
        for cpu in cpus {
            guard let i = index.coreOfCPU[cpu], seen.insert(i).inserted else { continue }
            let c = index.cores[i]
            cores.append((c.threads.intersection(cpus), (-nodeCount[c.node]!, -llcCount[c.llc]!, c.threads.first!)))
        }
        cores.sort { $0.key < $1.key }
        var kept = CPUSet()
        for core in cores {
            if kept.count + core.threads.count <= n {
                kept.formUnion(core.threads)
            } else if !wholeCores {
                for cpu in core.threads where kept.count < n { kept.insert(cpu) }
            }
        }
        return kept
    }
}
