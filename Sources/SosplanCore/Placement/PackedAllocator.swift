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
    /// Assignable CPUs per domain, per level (node, package, cache group).
    private let levels: [Level]
    private let smallestDomain: [Int]
    /// Per core: a dense index of its cache group (any id, also negative),
    /// for counting free CPUs per cache group in an array.
    private let coreLLCSlot: [Int]
    private let scratch: Scratch

    /// One level of domains, indexed densely (domain ids are sparse and
    /// may be negative; CPUs in domains with a negative id are left out,
    /// as "no domain").
    private struct Level {
        /// Per CPU id: its domain's dense index, or -1.
        let slotOf: [Int]
        let cpus: [CPUSet]
        let assignableCount: [Int]
        /// The lowest CPU of each domain (the last tie-break of `ordered`).
        let firstCPU: [Int]
        /// The smallest domain with assignable CPUs: a need below it takes
        /// no whole domain of this level.
        var smallest: Int { assignableCount.filter { $0 > 0 }.min() ?? Int.max }
    }

    /// Counters reused by every call (zero between uses), so a call costs
    /// what the free CPUs it looks at cost, not the size of the host.
    private final class Scratch {
        var domainFree: [[Int]]
        var domainNear: [[Bool]]
        var coreFree: [Int]
        var llcFree: [Int]

        init(levels: [Int], cores: Int, llcs: Int) {
            domainFree = levels.map { [Int](repeating: 0, count: $0) }
            domainNear = levels.map { [Bool](repeating: false, count: $0) }
            coreFree = [Int](repeating: 0, count: cores)
            llcFree = [Int](repeating: 0, count: llcs)
        }
    }

    init(index: TopologyIndex, universe: CPUSet) {
        self.index = index
        self.universe = universe
        assignable = index.cores.map { core in core.threads.filter { universe.contains($0) } }
        assignableCount = assignable.map(\.count)
        coreNode = index.cores.map(\.node)
        func level(_ of: [Int], _ cpus: [Int: CPUSet]) -> Level {
            var slot: [Int: Int] = [:]
            var slotOf = [Int](repeating: -1, count: of.count)
            var sets: [CPUSet] = [], count: [Int] = []
            for (cpu, id) in of.enumerated() where id >= 0 {
                if slot[id] == nil {
                    slot[id] = sets.count
                    sets.append(cpus[id] ?? CPUSet())
                    count.append(0)
                }
                slotOf[cpu] = slot[id]!
            }
            for cpu in universe where cpu < of.count && slotOf[cpu] >= 0 { count[slotOf[cpu]] += 1 }
            return Level(slotOf: slotOf, cpus: sets, assignableCount: count, firstCPU: sets.map { $0.first ?? 0 })
        }
        levels = [level(index.nodeOf, index.nodeCPUs), level(index.packageOf, index.packageCPUs), level(index.llcOf, index.llcCPUs)]
        smallestDomain = levels.map(\.smallest)
        var llcSlot: [Int: Int] = [:]
        coreLLCSlot = index.cores.map { core in
            if let s = llcSlot[core.llc] { return s }
            llcSlot[core.llc] = llcSlot.count
            return llcSlot.count - 1
        }
        scratch = Scratch(levels: levels.map(\.cpus.count), cores: index.cores.count, llcs: llcSlot.count)
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
        for (l, level) in levels.enumerated() where need >= smallestDomain[l] {
            for (slot, freeCount) in ordered(l, avail: avail, near: chosen) where need > 0 {
                let size = level.assignableCount[slot]
                if size > 0, freeCount == size, size <= need { take(level.cpus[slot].intersection(universe)) }
            }
            if need == 0 { return chosen }
        }
        guard let rest = pickCoresThenThreads(need, from: avail, near: chosen, wholeCores: wholeCores) else { return nil }
        // The first cache group (partly used first) that holds the rest, unless
        // staying inside one group would split more cores than picking freely.
        let freeSplits = splits(rest)
        let caches = levels[2]
        for (slot, freeCount) in ordered(2, avail: avail, near: chosen) where freeCount >= need {
            let inGroup = caches.cpus[slot].intersection(avail)
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
        var n = 0
        for cpu in cpus {
            // Each core once: at its lowest thread in `cpus`.
            guard let i = index.coreIndex(cpu), lowestThread(of: i, in: cpus) == cpu else { continue }
            if !assignable[i].allSatisfy(cpus.contains) { n += 1 }
        }
        return n
    }

    /// Whole free cores while the need covers one, then single threads from
    /// as few cores as possible.
    private func pickCoresThenThreads(_ n: Int, from avail: CPUSet, near: CPUSet, wholeCores: Bool) -> CPUSet? {
        var need = n
        var picked = CPUSet()
        var partial: [(core: Int, free: Int)] = []
        for (i, free) in coresWithin(avail, near: near) {
            if free == assignable[i].count, free <= need, need > 0 {
                for cpu in index.cores[i].threads where avail.contains(cpu) { picked.insert(cpu) }
                need -= free
            } else {
                partial.append((i, free))
            }
        }
        if need == 0 { return picked }
        if wholeCores { return nil }
        // The core whose free threads just cover the rest (fewest first), else the fullest.
        while need > 0, !partial.isEmpty {
            var best = -1
            for (k, c) in partial.enumerated() where c.free >= need {
                if best < 0 || c.free < partial[best].free { best = k }
            }
            if best < 0 { best = partial.indices.max { partial[$0].free < partial[$1].free }! }
            for cpu in index.cores[partial[best].core].threads where need > 0 && avail.contains(cpu) { picked.insert(cpu); need -= 1 }
            partial.remove(at: best)
        }
        return need == 0 ? picked : nil
    }

    /// The lowest thread of core `i` that is in `cpus` (a core's threads
    /// are few: cheaper than marking seen cores in an array of every core).
    @inline(__always) private func lowestThread(of i: Int, in cpus: CPUSet) -> Int? {
        index.cores[i].threads.first(where: { cpus.contains($0) })
    }

    /// Cores with free threads in `avail` (with how many), ordered: cores in
    /// cache groups and nodes the owner already uses first, then partly used
    /// cache groups, then by id.
    private func coresWithin(_ avail: CPUSet, near: CPUSet) -> [(Int, Int)] {
        var found: [Int] = []
        for cpu in avail {
            guard let i = index.coreIndex(cpu) else { continue }
            if scratch.coreFree[i] == 0 { found.append(i) }
            scratch.coreFree[i] += 1
        }
        var nearLLC = Set<Int>(), nearNodes = Set<Int>()
        for cpu in near where cpu < index.llcOf.count { nearLLC.insert(index.llcOf[cpu]); nearNodes.insert(index.nodeOf[cpu]) }
        for i in found { scratch.llcFree[coreLLCSlot[i]] += scratch.coreFree[i] }
        // Sort keys computed once per core, not per comparison.
        var keyed: [(key: (Int, Int, Int, Int, Int), free: Int)] = []
        keyed.reserveCapacity(found.count)
        for i in found {
            let c = index.cores[i]
            keyed.append(((nearLLC.contains(c.llc) ? 0 : 1, nearNodes.contains(c.node) ? 0 : 1, scratch.llcFree[coreLLCSlot[i]], c.llc, i), scratch.coreFree[i]))
        }
        for i in found { scratch.llcFree[coreLLCSlot[i]] = 0; scratch.coreFree[i] = 0 }
        keyed.sort { $0.key < $1.key }
        return keyed.map { ($0.key.4, $0.free) }
    }

    /// Domains of a level with free CPUs: those touching the owner's CPUs
    /// first, then by free CPUs ascending (best fit), then by lowest CPU id.
    /// Returns (domain slot, free CPUs).
    private func ordered(_ l: Int, avail: CPUSet, near: CPUSet) -> [(Int, Int)] {
        let level = levels[l]
        var slots: [Int] = []
        for cpu in avail where cpu < level.slotOf.count && level.slotOf[cpu] >= 0 {
            let d = level.slotOf[cpu]
            if scratch.domainFree[l][d] == 0 { slots.append(d) }
            scratch.domainFree[l][d] += 1
        }
        var marked: [Int] = []
        for cpu in near where cpu < level.slotOf.count && level.slotOf[cpu] >= 0 {
            let d = level.slotOf[cpu]
            if !scratch.domainNear[l][d] { scratch.domainNear[l][d] = true; marked.append(d) }
        }
        var keyed: [(key: (Int, Int, Int), slot: Int, free: Int)] = []
        keyed.reserveCapacity(slots.count)
        for d in slots {
            let free = scratch.domainFree[l][d]
            keyed.append(((scratch.domainNear[l][d] ? 0 : 1, free, level.firstCPU[d]), d, free))
            scratch.domainFree[l][d] = 0
        }
        for d in marked { scratch.domainNear[l][d] = false }
        keyed.sort { $0.key < $1.key }
        return keyed.map { ($0.slot, $0.free) }
    }

    /// The CPUs of cores whose assignable threads are all in `cpus`.
    func wholeCoreCPUs(_ cpus: CPUSet) -> CPUSet {
        var out = CPUSet()
        for cpu in cpus {
            // Each core once: at its first assignable thread (a core whose
            // first assignable thread is not in `cpus` is not whole).
            guard let i = index.coreIndex(cpu) else { continue }
            let threads = assignable[i]
            guard threads.first == cpu, threads.allSatisfy(cpus.contains) else { continue }
            for t in threads { out.insert(t) }
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
