/// Which NUMA nodes hold memory of a tier, and which of them are nearest
/// an owner's CPUs: HBM attached to each socket or sub-NUMA cluster the
/// owner runs on, DRAM of its own nodes.
struct MemoryTierNodes {
    let topology: Topology
    let index: TopologyIndex

    /// Whether `node` holds memory of `tier` (nodes hwloc does not name are DRAM).
    func holds(_ node: NUMANode, _ tier: MemoryTier) -> Bool {
        node.memoryBytes > 0 && (node.memoryTier ?? .dram) == tier
    }

    /// Every node of `tier`.
    func all(_ tier: MemoryTier) -> CPUSet { CPUSet(topology.nodes.filter { holds($0, tier) }.map(\.id)) }

    /// For each node of `cpuNodes`: itself when it holds `tier`, else the
    /// nodes of `tier` whose HMAT initiators it is (the memory attached to
    /// its socket or sub-NUMA cluster), else those at the smallest SLIT
    /// distance from it.
    func nearest(_ tier: MemoryTier, to cpuNodes: CPUSet) -> CPUSet {
        let tierNodes = topology.nodes.filter { holds($0, tier) }
        let candidates = tierNodes.map(\.id)
        var result = CPUSet()
        for home in cpuNodes {
            if candidates.contains(home) {
                result.insert(home)
                continue
            }
            let attached = tierNodes.filter { $0.initiators?.contains(home) == true }.map(\.id)
            if !attached.isEmpty {
                result.formUnion(CPUSet(attached))
                continue
            }
            guard let best = candidates.map({ index.distance(home, $0) }).min() else { continue }
            for c in candidates where index.distance(home, c) == best { result.insert(c) }
        }
        return result
    }

    /// `dram nodes 0-1 · hbm nodes 2,4 · nvm nodes 6,8-9`, for messages.
    var summary: String {
        var byTier: [(MemoryTier, CPUSet)] = []
        for tier in MemoryTier.allCases {
            let nodes = all(tier)
            if !nodes.isEmpty { byTier.append((tier, nodes)) }
        }
        return byTier.map { "\($0.0.rawValue) node\($0.1.count == 1 ? "" : "s") \($0.1)" }.joined(separator: " · ")
    }
}
