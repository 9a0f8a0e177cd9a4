import SosplanCore

extension SysfsTopologyProbe {
    static let nodeBase = "sys/devices/system/node"

    /// NUMA nodes (CPUs, memory, distances, hugepages) and the node of every
    /// present CPU. Without any `nodeN` directory the host is one node 0.
    func readNodes(_ sys: SysfsReader, _ records: inout [CPURecord], _ warnings: inout ProbeWarnings) -> [NUMANode] {
        let ids = sys.numberedEntries(Self.nodeBase, prefix: "node") ?? []
        guard !ids.isEmpty else { return [fallbackNode(sys, &records, &warnings)] }
        let present = CPUSet(records.map(\.id))
        var assigned = CPUSet()
        var nodes: [NUMANode] = []
        for id in ids {
            let dir = "\(Self.nodeBase)/node\(id)"
            var cpus = nodeCPUs(sys, node: id, dir: dir, &warnings).intersection(present)
            // Linux gives a CPU one node; overlapping maps are firmware bugs.
            // A node whose CPUs lower nodes already have all of contradicts
            // the rest of the NUMA information (8em64t-2s2ca2c-buggynuma:
            // eight nodes each claiming CPUs 0-7 and "their" memory): like
            // hwloc it is ignored, its memory included, which would otherwise
            // be counted twice. A node overlapping only in part keeps the
            // CPUs no lower node has.
            let overlap = cpus.intersection(assigned)
            if !cpus.isEmpty && overlap == cpus {
                warnings.note("node-duplicate", id) {
                    "\(nodePhrase($0)) claim only CPUs a lower node already has (the NUMA information contradicts itself, a firmware bug): ignored with their memory, as hwloc does"
                }
                continue
            }
            if !overlap.isEmpty {
                warnings.note("node-overlap", id) {
                    "\(nodePhrase($0)) claim CPUs a lower node already has (a firmware bug): each CPU stays with the lowest node claiming it"
                }
                cpus.subtract(overlap)
            }
            assigned.formUnion(cpus)
            let meminfo = sys.meminfo("\(dir)/meminfo")
            if meminfo?.total == nil {
                warnings.note("no-node-meminfo", id) { "\(nodePhrase($0)): no meminfo in sysfs; memory unknown (0)" }
            }
            let memory = nodeMemory(meminfo, node: id, &warnings)
            nodes.append(
                NUMANode(
                    id: id, cpus: cpus, memoryBytes: memory.total, freeBytes: memory.free,
                    distances: distances(sys, node: id, dir: dir, &warnings),
                    hugepages: readHugepages(sys, dir: "\(dir)/hugepages", &warnings)))
        }
        if nodes.count < ids.count {
            // Distance rows list every node directory: keep the columns of the nodes kept.
            let kept = Set(nodes.map(\.id))
            let columns = ids.indices.filter { kept.contains(ids[$0]) }
            for i in nodes.indices where nodes[i].distances.count == ids.count {
                nodes[i].distances = columns.map { nodes[i].distances[$0] }
            }
        }
        var nodeOf: [Int: Int] = [:]
        for node in nodes { for cpu in node.cpus { nodeOf[cpu] = node.id } }
        for i in records.indices {
            let id = records[i].id
            records[i].node = nodeOf[id] ?? linkedNode(sys, cpu: id)
            if let node = records[i].node, nodeOf[id] == nil {
                warnings.note("unlisted-node-\(node)", id) {
                    "\(cpuPhrase($0)) belong to node \(node) (cpuN/node\(node) link), which has no directory in sysfs (offline or memoryless): node \(node) is not listed and its memory is unknown"
                }
            } else if records[i].node == nil {
                warnings.note("cpu-no-node", id) { "\(cpuPhrase($0)): in no NUMA node's CPU list; node unknown" }
            }
        }
        return nodes
    }

    /// `cpulist`, else the older `cpumap` mask.
    private func nodeCPUs(_ sys: SysfsReader, node id: Int, dir: String, _ warnings: inout ProbeWarnings) -> CPUSet {
        // Old kernels lack cpulist in every node: missing once, not tried again.
        if let list = sys.cpuList(in: dir, "cpulist") { return list }
        if let mask = sys.cpuMask("\(dir)/cpumap") {
            warnings.note("no-cpulist", id) { "\(nodePhrase($0)): no cpulist in sysfs (old kernel); CPUs read from cpumap" }
            return mask
        }
        warnings.note("no-node-cpus", id) { "\(nodePhrase($0)): neither cpulist nor cpumap in sysfs; no CPUs" }
        return CPUSet()
    }

    /// The node a CPU's `cpuN/nodeM` link names: the kernel keeps it for
    /// CPUs of nodes without a directory. Read only for CPUs no node lists.
    private func linkedNode(_ sys: SysfsReader, cpu: Int) -> Int? {
        sys.numberedEntries("\(Self.cpuBase)/cpu\(cpu)", prefix: "node")?.first
    }

    /// Hugepage pools under `hugepages/hugepages-<size>kB/`, by ascending size.
    func readHugepages(_ sys: SysfsReader, dir: String, _ warnings: inout ProbeWarnings) -> [HugepagePool] {
        var pools: [HugepagePool] = []
        for name in sys.list(dir) ?? [] where name.hasPrefix("hugepages-") && name.hasSuffix("kB") {
            if let pool = hugepagePool(sys, dir: dir, name: name, &warnings) { pools.append(pool) }
        }
        return pools.sorted { $0.sizeBytes < $1.sizeBytes }
    }

    /// A host whose sysfs has no NUMA nodes (non-NUMA kernel, old sysfs):
    /// node 0 with every CPU and the memory and hugepages of the whole host.
    private func fallbackNode(_ sys: SysfsReader, _ records: inout [CPURecord], _ warnings: inout ProbeWarnings) -> NUMANode {
        warnings.add("no NUMA nodes in sysfs (no \(Self.nodeBase)/nodeN): one node 0 with every CPU and the memory of /proc/meminfo")
        let meminfo = sys.meminfo("proc/meminfo")
        if meminfo?.total == nil { warnings.add("no proc/meminfo: memory unknown (0)") }
        var hugepages = readHugepages(sys, dir: "sys/kernel/mm/hugepages", &warnings)
        if hugepages.isEmpty, let size = meminfo?["Hugepagesize"], size > 0 {
            let total = Int(clamping: meminfo?["HugePages_Total"] ?? 0)
            let free = Int(clamping: meminfo?["HugePages_Free"] ?? 0)
            if let pool = checkedPool(sizeBytes: size, total: total, free: free, source: "proc/meminfo (Hugepagesize)", &warnings) {
                hugepages = [pool]
            }
        }
        for i in records.indices { records[i].node = 0 }
        let memory = nodeMemory(meminfo, node: 0, &warnings)
        return NUMANode(
            id: 0, cpus: CPUSet(records.map(\.id)), memoryBytes: memory.total, freeBytes: memory.free, hugepages: hugepages)
    }
}
