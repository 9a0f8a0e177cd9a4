import SosplanCore

/// Each node's memory tier, classified as hwloc classifies NUMA nodes
/// (hwloc/memattrs.c of hwloc 2.10 and later: hwloc__group_memory_tiers,
/// hwloc__guess_memory_tiers_kinds, hwloc__guess_dram_hbm_tiers; on every
/// test machine it names the same nodes as hwloc 2.9.0's simpler
/// hwloc_internal_memattrs_guess_memory_tiers, hwloc/memattrs.c:1251-1426):
/// 1. what the node is, where the host says so: a GPU's memory (NVIDIA), a
///    DAX device bound to kmem that is persistent memory (under an nvdimm
///    bus) or specific-purpose memory (anything else, e.g. `hmem`), and
///    whether that DAX region is a CXL region (/sys/bus/cxl)
///    (hwloc/topology-linux.c of 2.9.0:3688-3790, dax_is_kmem,
///    annotate_dax_parent, annotate_dax_nodes);
/// 2. each node's local bandwidth and latency from the HMAT
///    (`nodeN/access1/initiators`, else `access0`; the mean of read and
///    write, as hwloc/topology-linux.c:3573-3623 read_node_local_memattrs);
/// 3. nodes grouped into tiers by kind, then by bandwidth and latency
///    (a new tier past 10% difference);
/// 4. with no DRAM or HBM known yet, two unknown tiers, or one unknown and
///    one specific-purpose tier, are DRAM and HBM when the faster one's
///    bandwidth is more than twice the slower one's.
/// The kernel's own memory tiers (Linux 6.1+) are recorded beside.
extension SysfsTopologyProbe {
    static let memoryTiering = "sys/devices/virtual/memory_tiering"

    /// hwloc's tier kinds, as bits (memattrs.c: HWLOC_MEMORY_TIER_*), in its sort order.
    struct TierKinds: OptionSet, Hashable {
        let rawValue: Int
        static let hbm = TierKinds(rawValue: 1 << 0)
        static let dram = TierKinds(rawValue: 1 << 1)
        static let gpu = TierKinds(rawValue: 1 << 2)
        static let spm = TierKinds(rawValue: 1 << 3)
        static let nvm = TierKinds(rawValue: 1 << 4)
        static let cxl = TierKinds(rawValue: 1 << 5)

        var tier: MemoryTier? {
            if contains(.cxl) { return contains(.nvm) ? .nvm : .cxl }
            switch self {
            case .hbm: return .hbm
            case .dram: return .dram
            case .gpu: return .gpu
            case .spm: return .spm
            case .nvm: return .nvm
            default: return nil
            }
        }
    }

    struct NodePerformance {
        var node: Int
        var kinds: TierKinds
        /// MiB/s and ns; 0 when unknown.
        var bandwidth: Int
        var latency: Int
    }

    func readMemoryTiers(_ sys: SysfsReader, _ dax: [DAXDevice], gpuNodes: Set<Int>, _ nodes: inout [NUMANode]) {
        var kinds: [Int: TierKinds] = [:]
        for device in dax where device.kmem {
            var k: TierKinds = device.link.contains("ndbus") ? .nvm : .spm
            if isCXLRegion(sys, device.link) { k = k.intersection(.nvm).union(.cxl) }
            kinds[device.targetNode] = k
        }
        for node in gpuNodes { kinds[node] = .gpu }
        // hwloc lists no NUMA node for a node without memory.
        var initiators: [Int: IDSet] = [:]
        let perf = nodes.filter { $0.memoryBytes > 0 }.map { node in
            let p = localPerformance(sys, node)
            if !p.initiators.isEmpty { initiators[node.id] = p.initiators }
            return NodePerformance(node: node.id, kinds: kinds[node.id] ?? [], bandwidth: p.bandwidth, latency: p.latency)
        }
        let classified = Self.classify(perf)
        let kernel = readKernelMemoryTiers(sys)
        for i in nodes.indices {
            nodes[i].memoryTier = classified[nodes[i].id]
            nodes[i].kernelMemoryTier = kernel[nodes[i].id]
            nodes[i].initiators = initiators[nodes[i].id]
        }
    }

    /// Tiers of nodes with the same kinds and close bandwidth and latency,
    /// then DRAM and HBM guessed from bandwidth; the tier of each node hwloc
    /// names (none for unknown ones).
    static func classify(_ nodes: [NodePerformance]) -> [Int: MemoryTier] {
        guard !nodes.isEmpty else { return [:] }
        let sorted = nodes.sorted { ($0.kinds.rawValue, -$0.bandwidth, $0.node) < ($1.kinds.rawValue, -$1.bandwidth, $1.node) }
        func differ(_ a: Int, _ b: Int) -> Bool {
            guard a > 0, b > 0 else { return false }
            return Double(max(a, b)) / Double(min(a, b)) > 1.1
        }
        var tiers: [[NodePerformance]] = [[sorted[0]]]
        for (previous, node) in zip(sorted, sorted.dropFirst()) {
            if node.kinds != previous.kinds || differ(node.bandwidth, previous.bandwidth) || differ(node.latency, previous.latency) {
                tiers.append([node])
            } else {
                tiers[tiers.count - 1].append(node)
            }
        }
        var kinds = tiers.map { $0[0].kinds }
        if tiers.count > 1 && !kinds.contains(.dram) && !kinds.contains(.hbm) {
            let unknown = kinds.indices.filter { kinds[$0].isEmpty }
            let spm = kinds.indices.filter { kinds[$0] == .spm }
            var pair: (Int, Int)?
            if unknown.count == 2 && spm.isEmpty { pair = (unknown[0], unknown[1]) }
            if unknown.count == 1 && spm.count == 1 { pair = (unknown[0], spm[0]) }
            if let (a, b) = pair {
                let bw = { (t: Int) in (min: tiers[t].map(\.bandwidth).min()!, max: tiers[t].map(\.bandwidth).max()!) }
                let (slow, fast) = bw(a).min <= bw(b).min ? (a, b) : (b, a)
                if bw(slow).min > 0, bw(fast).min > bw(slow).max * 2 {
                    kinds[slow] = .dram
                    kinds[fast] = .hbm
                }
            }
        }
        var result: [Int: MemoryTier] = [:]
        for (t, tier) in tiers.enumerated() {
            guard let name = kinds[t].tier else { continue }
            for node in tier { result[node.node] = name }
        }
        return result
    }

    /// The node's local bandwidth and latency from the HMAT, 0 when the
    /// host has none; for a node without CPUs, its initiators (the nodes
    /// hwloc takes its locality from, topology-linux.c:3527-3569), and its
    /// performance only when it has some (hwloc reads it for their CPUs).
    private func localPerformance(_ sys: SysfsReader, _ node: NUMANode) -> (bandwidth: Int, latency: Int, initiators: IDSet) {
        let base = "\(Self.nodeBase)/node\(node.id)"
        let dir = sys.isDirectory("\(base)/access1/initiators") ? "\(base)/access1/initiators" : "\(base)/access0/initiators"
        var initiators = IDSet()
        if node.cpus.isEmpty {
            for name in sys.list(dir) ?? [] where name.hasPrefix("node") {
                if let id = Int(name.dropFirst(4)), id != node.id, id >= 0 { initiators.insert(id) }
            }
            if initiators.isEmpty { return (0, 0, initiators) }
        }
        guard let rbw = sys.int("\(dir)/read_bandwidth") else { return (0, 0, initiators) }
        func mean(_ a: Int?, _ b: Int?) -> Int { (a ?? 0) > 0 && (b ?? 0) > 0 ? (a! + b!) / 2 : 0 }
        return (mean(rbw, sys.int("\(dir)/write_bandwidth")), mean(sys.int("\(dir)/read_latency"), sys.int("\(dir)/write_latency")), initiators)
    }

    /// Whether a DAX device's region is a CXL region (`.../region3/dax_region3/dax3.0`
    /// with `/sys/bus/cxl/devices/region3`).
    private func isCXLRegion(_ sys: SysfsReader, _ link: String) -> Bool {
        for part in link.split(separator: "/") where part.hasPrefix("region") {
            let digits = part.dropFirst("region".count)
            if !digits.isEmpty, digits.allSatisfy(\.isNumber), sys.exists("sys/bus/cxl/devices/\(part)") { return true }
        }
        return false
    }

    /// `memory_tierN/nodelist` → the tier of each node.
    private func readKernelMemoryTiers(_ sys: SysfsReader) -> [Int: Int] {
        var tiers: [Int: Int] = [:]
        for entry in sys.list(Self.memoryTiering) ?? [] where entry.hasPrefix("memory_tier") {
            guard let id = Int(entry.dropFirst("memory_tier".count)), let nodes = sys.cpuList("\(Self.memoryTiering)/\(entry)/nodelist") else {
                continue
            }
            for node in nodes { tiers[node] = id }
        }
        return tiers
    }
}
