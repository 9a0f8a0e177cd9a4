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
    /// SLIT distances as a matrix indexed by `nodePosition` (10 for the
    /// same node, 20 otherwise, when the kernel gives none).
    let distanceMatrix: [[Int]]
    /// Position of a node id in `nodeIDs` (-1 when absent).
    let nodePosition: [Int]
    /// The most threads any core has (1 without SMT).
    public let maxThreadsPerCore: Int
    /// Per CPU id (index), its core index, node, package and cache group; -1
    /// for ids that are not present. Arrays, because placement asks often.
    let coreIndexOf: [Int]
    let nodeOf: [Int]
    let packageOf: [Int]
    let llcOf: [Int]

    public init(_ topology: Topology) {
        var cores: [Core] = []
        var coreKey: [Int: Int] = [:]
        var coreOfCPU: [Int: Int] = [:]
        var nodeCPUs: [Int: CPUSet] = [:]
        var llcCPUs: [Int: CPUSet] = [:]
        var packageCPUs: [Int: CPUSet] = [:]
        for node in topology.nodes { nodeCPUs[node.id] = node.cpus }
        for cpu in topology.cpus {
            let node = cpu.node ?? TopologyIndex.nodeOf(cpu.id, topology) ?? 0
            // Repeated package ids are told apart by the package's CPUs (keys <= -2).
            let package = cpu.packageKey ?? -1
            // A core is its set of hardware threads (`core_id` repeats across
            // dies on some hosts), named by its lowest thread, as in hwloc.
            let key = cpu.coreLeader
            let llc = cpu.l3 ?? -(node + 1)
            if let i = coreKey[key] {
                cores[i].threads.insert(cpu.id)
                coreOfCPU[cpu.id] = i
            } else {
                coreKey[key] = cores.count
                coreOfCPU[cpu.id] = cores.count
                cores.append(Core(index: cores.count, threads: CPUSet([cpu.id]), node: node, package: package, llc: llc))
            }
            // Every CPU counts on its node, also when the kernel lists no
            // directory for that node.
            nodeCPUs[node, default: CPUSet()].insert(cpu.id)
            llcCPUs[llc, default: CPUSet()].insert(cpu.id)
            packageCPUs[package, default: CPUSet()].insert(cpu.id)
        }
        self.cores = cores
        self.coreOfCPU = coreOfCPU
        self.nodeCPUs = nodeCPUs
        self.llcCPUs = llcCPUs
        self.packageCPUs = packageCPUs
        self.nodeIDs = nodeCPUs.keys.sorted()
        let ids = self.nodeIDs
        var position = [Int](repeating: -1, count: (ids.max() ?? -1) + 1)
        for (i, id) in ids.enumerated() { position[id] = i }
        // The kernel lists distances in node-id order of the nodes it has.
        // Where each node id is first listed, and its row (looked up once,
        // not per pair: 64-node hosts have 4,096 pairs).
        var listed: [Int: Int] = [:], rows: [Int: [Int]] = [:]
        for (k, node) in topology.nodes.enumerated() where listed[node.id] == nil {
            listed[node.id] = k
            rows[node.id] = node.distances
        }
        let columns = ids.map { listed[$0] }
        var matrix = [[Int]](repeating: [Int](repeating: 20, count: ids.count), count: ids.count)
        for (i, a) in ids.enumerated() {
            let row = rows[a] ?? []
            for (j, b) in ids.enumerated() {
                if let k = columns[j], k < row.count { matrix[i][j] = row[k] } else { matrix[i][j] = a == b ? 10 : 20 }
            }
        }
        self.nodePosition = position
        self.distanceMatrix = matrix
        self.maxThreadsPerCore = cores.map(\.threads.count).max() ?? 1
        let size = (topology.cpus.map(\.id).max() ?? -1) + 1
        var coreIndexOf = [Int](repeating: -1, count: size)
        var nodeOf = coreIndexOf, packageOf = coreIndexOf, llcOf = coreIndexOf
        for (cpu, i) in coreOfCPU {
            coreIndexOf[cpu] = i
            nodeOf[cpu] = cores[i].node
            packageOf[cpu] = cores[i].package
            llcOf[cpu] = cores[i].llc
        }
        self.coreIndexOf = coreIndexOf
        self.nodeOf = nodeOf
        self.packageOf = packageOf
        self.llcOf = llcOf
    }

    /// The core index of a CPU id, or nil when not present.
    @inline(__always) func coreIndex(_ cpu: Int) -> Int? {
        cpu < coreIndexOf.count && coreIndexOf[cpu] >= 0 ? coreIndexOf[cpu] : nil
    }

    private static func nodeOf(_ cpu: Int, _ topology: Topology) -> Int? {
        topology.nodes.first { $0.cpus.contains(cpu) }?.id
    }

    public func distance(_ a: Int, _ b: Int) -> Int {
        guard a < nodePosition.count, b < nodePosition.count, nodePosition[a] >= 0, nodePosition[b] >= 0 else {
            return a == b ? 10 : 20
        }
        return distanceMatrix[nodePosition[a]][nodePosition[b]]
    }

    public func core(of cpu: Int) -> Core? { coreIndex(cpu).map { cores[$0] } }

    /// The NUMA nodes the CPUs sit on.
    public func nodes(of cpus: CPUSet) -> CPUSet {
        var out = CPUSet()
        for cpu in cpus where cpu < nodeOf.count && nodeOf[cpu] >= 0 { out.insert(nodeOf[cpu]) }
        return out
    }

    /// Cores partly inside `cpus` (some but not all of their threads): the
    /// splits that `policy.smt: whole-cores` forbids.
    public func splitCores(_ cpus: CPUSet, within allowed: CPUSet? = nil) -> Int {
        var seen = Set<Int>()
        var split = 0
        for cpu in cpus {
            guard let i = coreIndex(cpu), seen.insert(i).inserted else { continue }
            let threads = allowed.map { cores[i].threads.intersection($0) } ?? cores[i].threads
            if !threads.isSubset(of: cpus) { split += 1 }
        }
        return split
    }
}
