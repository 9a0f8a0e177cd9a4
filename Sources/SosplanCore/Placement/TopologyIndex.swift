/// Precomputed groupings of a snapshot's topology used by placement: cores
/// (threads sharing a core), last-level-cache groups, NUMA nodes and
/// packages, each as CPU sets. Built once per plan; O(CPUs).
public struct TopologyIndex: Sendable {
    /// A physical core: its hardware threads and the domains it sits in.
    public struct Core: Sendable, Hashable {
        public var index: Int
        public var threads: CPUSet
        public var node: Int
        public var package: Int
        public var llc: Int
    }

    public let cores: [Core]
    /// Core index of each CPU id (present CPUs only).
    public let coreOfCPU: [Int: Int]
    /// CPUs per NUMA node (present CPUs).
    public let nodeCPUs: [Int: CPUSet]
    /// CPUs per last-level cache group.
    public let llcCPUs: [Int: CPUSet]
    public let packageCPUs: [Int: CPUSet]
    public let nodeIDs: [Int]
    /// SLIT distance between nodes (10 for the same node when unknown).
    public let distances: [Int: [Int: Int]]
    /// The most threads any core has (1 without SMT).
    public let maxThreadsPerCore: Int

    public init(_ topology: Topology) {
        var cores: [Core] = []
        var coreKey: [String: Int] = [:]
        var coreOfCPU: [Int: Int] = [:]
        var nodeCPUs: [Int: CPUSet] = [:]
        var llcCPUs: [Int: CPUSet] = [:]
        var packageCPUs: [Int: CPUSet] = [:]
        for node in topology.nodes { nodeCPUs[node.id] = node.cpus }
        for cpu in topology.cpus {
            let node = cpu.node ?? TopologyIndex.nodeOf(cpu.id, topology) ?? 0
            let package = cpu.package ?? -1
            // Without core ids, the thread-sibling set (or the CPU alone) is the core.
            let key: String
            if let core = cpu.core {
                key = "\(package)/\(core)/\(node)"
            } else {
                key = "siblings/\(cpu.threadSiblings.first ?? cpu.id)"
            }
            let llc = cpu.l3 ?? -(node + 1)
            if let i = coreKey[key] {
                cores[i].threads.insert(cpu.id)
                coreOfCPU[cpu.id] = i
            } else {
                coreKey[key] = cores.count
                coreOfCPU[cpu.id] = cores.count
                cores.append(Core(index: cores.count, threads: CPUSet([cpu.id]), node: node, package: package, llc: llc))
            }
            if cpu.node == nil && TopologyIndex.nodeOf(cpu.id, topology) == nil {
                nodeCPUs[node, default: CPUSet()].insert(cpu.id)
            }
            llcCPUs[llc, default: CPUSet()].insert(cpu.id)
            packageCPUs[package, default: CPUSet()].insert(cpu.id)
        }
        self.cores = cores
        self.coreOfCPU = coreOfCPU
        self.nodeCPUs = nodeCPUs
        self.llcCPUs = llcCPUs
        self.packageCPUs = packageCPUs
        self.nodeIDs = nodeCPUs.keys.sorted()
        var distances: [Int: [Int: Int]] = [:]
        let ids = topology.nodes.map(\.id)
        for node in topology.nodes {
            var row: [Int: Int] = [:]
            for (j, other) in ids.enumerated() {
                row[other] = j < node.distances.count ? node.distances[j] : (other == node.id ? 10 : 20)
            }
            distances[node.id] = row
        }
        self.distances = distances
        self.maxThreadsPerCore = cores.map(\.threads.count).max() ?? 1
    }

    private static func nodeOf(_ cpu: Int, _ topology: Topology) -> Int? {
        topology.nodes.first { $0.cpus.contains(cpu) }?.id
    }

    public func distance(_ a: Int, _ b: Int) -> Int {
        distances[a]?[b] ?? (a == b ? 10 : 20)
    }

    public func core(of cpu: Int) -> Core? { coreOfCPU[cpu].map { cores[$0] } }

    /// The NUMA nodes the CPUs sit on.
    public func nodes(of cpus: CPUSet) -> CPUSet {
        var out = CPUSet()
        for cpu in cpus { if let c = core(of: cpu) { out.insert(c.node) } }
        return out
    }

    /// Cores partly inside `cpus` (some but not all of their threads): the
    /// splits that `policy.smt: whole-cores` forbids.
    public func splitCores(_ cpus: CPUSet, within allowed: CPUSet? = nil) -> Int {
        var seen = Set<Int>()
        var split = 0
        for cpu in cpus {
            guard let i = coreOfCPU[cpu], seen.insert(i).inserted else { continue }
            let threads = allowed.map { cores[i].threads.intersection($0) } ?? cores[i].threads
            if !threads.isSubset(of: cpus) { split += 1 }
        }
        return split
    }
}
