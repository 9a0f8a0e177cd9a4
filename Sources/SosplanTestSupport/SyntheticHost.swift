import SosplanCore

/// Regular hosts built in code (packages × nodes × cores × threads), for
/// planner tests that need shapes the fixtures do not have (e.g. 4,096 CPUs).
/// CPU numbering follows Linux on x86: all first threads, then the siblings.
public enum SyntheticHost {
    public static func snapshot(
        packages: Int, nodesPerPackage: Int = 1, coresPerNode: Int, threadsPerCore: Int = 1,
        memoryPerNode: UInt64 = 64 << 30, llcPerNode: Int = 1, hugepageSizes: [UInt64] = [2 << 20, 1 << 30]
    ) -> HostSnapshot {
        let nodes = packages * nodesPerPackage
        let cores = nodes * coresPerNode
        var cpus: [CPUInfo] = []
        for t in 0..<threadsPerCore {
            for c in 0..<cores {
                let id = t * cores + c
                let node = c / coresPerNode
                let siblings = CPUSet((0..<threadsPerCore).map { $0 * cores + c })
                let llcSize = max(coresPerNode / llcPerNode, 1)
                let llc = node * coresPerNode + (c % coresPerNode) / llcSize * llcSize
                cpus.append(CPUInfo(
                    id: id, online: true, package: node / nodesPerPackage, core: c % (coresPerNode * nodesPerPackage),
                    node: node, threadSiblings: siblings, l3: llc))
            }
        }
        cpus.sort { $0.id < $1.id }
        var nodeList: [NUMANode] = []
        for n in 0..<nodes {
            let ids = cpus.filter { $0.node == n }.map(\.id)
            let distances = (0..<nodes).map { m in m == n ? 10 : (m / nodesPerPackage == n / nodesPerPackage ? 16 : 21) }
            nodeList.append(NUMANode(
                id: n, cpus: CPUSet(ids), memoryBytes: memoryPerNode, freeBytes: memoryPerNode - (memoryPerNode / 8),
                distances: distances, hugepages: hugepageSizes.map { HugepagePool(sizeBytes: $0, total: 0, free: 0) }))
        }
        return HostSnapshot(hostname: "synthetic", topology: Topology(cpus: cpus, nodes: nodeList, memoryBlockSizeBytes: 128 << 20))
    }
}
