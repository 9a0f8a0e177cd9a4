import SosplanCore

/// A model of the kubelet CPU manager's packed allocator
/// (`takeByTopologyNUMAPacked` in pkg/kubelet/cm/cpumanager/cpu_assignment.go,
/// as described in research/anchors.md §1.4), without the uncore and spread
/// options: whole first-level domains (NUMA nodes when sockets >= nodes, else
/// sockets), whole second-level domains, whole cores, then single threads.
/// Every sort is by available CPUs ascending, then by id.
public struct KubeletPackedModel {
    public let index: TopologyIndex

    public init(index: TopologyIndex) { self.index = index }

    public func allocate(_ n: Int, available: CPUSet) -> CPUSet? {
        var avail = available
        var result = CPUSet()
        var need = n
        guard avail.count >= n else { return nil }
        func take(_ cpus: CPUSet) { result.formUnion(cpus); avail.subtract(cpus); need -= cpus.count }
        func sorted(_ domains: [Int: CPUSet]) -> [(Int, CPUSet)] {
            domains.map { ($0.key, $0.value) }
                .sorted { ($0.1.intersection(avail).count, $0.0) < ($1.1.intersection(avail).count, $1.0) }
        }
        let numaFirst = index.packageCPUs.count >= index.nodeCPUs.count
        let levels = numaFirst ? [index.nodeCPUs, index.packageCPUs] : [index.packageCPUs, index.nodeCPUs]
        // 1-2. Whole free first- and second-level domains while the need covers one.
        for level in levels {
            for (_, cpus) in sorted(level) where need > 0 && cpus.isSubset(of: avail) && need >= cpus.count {
                take(cpus)
            }
            if need == 0 { return result }
        }
        // 3. Whole free cores, in sortAvailableCores order.
        for core in sortedCores(avail) where need > 0 && core.threads.isSubset(of: avail) && need >= core.threads.count {
            take(core.threads)
        }
        if need == 0 { return result }
        // 4. Single threads: cores in sortAvailableCores order, threads by id.
        for core in sortedCores(avail) {
            for cpu in core.threads.intersection(avail) where need > 0 { take(CPUSet([cpu])) }
        }
        return need == 0 ? result : nil
    }

    /// Cores grouped by first-level domain (fewest available first), each
    /// group's cores by available threads ascending, then id.
    private func sortedCores(_ avail: CPUSet) -> [TopologyIndex.Core] {
        let numaFirst = index.packageCPUs.count >= index.nodeCPUs.count
        let outer = numaFirst ? index.nodeCPUs : index.packageCPUs
        let domains = outer.map { ($0.key, $0.value) }
            .sorted { ($0.1.intersection(avail).count, $0.0) < ($1.1.intersection(avail).count, $1.0) }
        var out: [TopologyIndex.Core] = []
        for (id, _) in domains {
            let cores = index.cores.filter { (numaFirst ? $0.node : $0.package) == id && !$0.threads.isDisjoint(with: avail) }
            out += cores.sorted { ($0.threads.intersection(avail).count, $0.index) < ($1.threads.intersection(avail).count, $1.index) }
        }
        return out
    }
}

extension KubeletPackedModel {
    /// The Topology Manager's `restricted` hint for a CPU request: the first
    /// (lowest node ids) of the narrowest NUMA masks that could hold the
    /// request by capacity and have enough available CPUs; nil = rejected.
    public func restrictedHint(_ n: Int, available: CPUSet) -> [Int]? {
        let nodes = index.nodeIDs
        let sizes = nodes.map { index.nodeCPUs[$0]!.count }.sorted(by: >)
        var k = 0, sum = 0
        while sum < n && k < sizes.count { sum += sizes[k]; k += 1 }
        var result: [Int]?
        func combos(_ start: Int, _ chosen: [Int]) {
            if result != nil { return }
            if chosen.count == k {
                let cpus = chosen.reduce(CPUSet()) { $0.union(index.nodeCPUs[$1]!) }
                if cpus.intersection(available).count >= n { result = chosen }
                return
            }
            guard start < nodes.count else { return }
            for i in start..<nodes.count { combos(i + 1, chosen + [nodes[i]]) }
        }
        combos(0, [])
        return result
    }

    /// `allocateCPUs` with a hint: packed from the hint's nodes first.
    public func allocate(_ n: Int, available: CPUSet, hint: [Int]) -> CPUSet? {
        let aligned = available.intersection(hint.reduce(CPUSet()) { $0.union(index.nodeCPUs[$1]!) })
        guard let first = allocate(min(n, aligned.count), available: aligned) else { return nil }
        if first.count == n { return first }
        guard let rest = allocate(n - first.count, available: available.subtracting(first)) else { return nil }
        return first.union(rest)
    }
}
