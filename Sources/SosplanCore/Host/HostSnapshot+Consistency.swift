/// What a saved snapshot must not say, because no host can be that way: a
/// CPU twice, a CPU in two nodes, sizes no machine has, an enclave on CPUs
/// that do not exist. A probe never writes such a file; a hand-edited or
/// damaged one is refused when read, with the JSON path of each problem,
/// instead of leading the planner into sums that overflow or lookups of
/// things that are not there.
extension HostSnapshot {
    /// More memory than this on one node (or in one enclave, pool or
    /// hugepage pool) is refused: 1 PiB, as in layouts.
    public static let maximumMemoryBytes: UInt64 = 1 << 50
    /// Linux's `CONFIG_NODES_SHIFT` is at most 10.
    public static let maximumNodeID = 1023

    /// Every problem, as `path: what is wrong`; empty for a consistent snapshot.
    public func inconsistencies() -> [String] {
        var problems: [String] = []
        func problem(_ path: String, _ message: String) { problems.append("\(path): \(message)") }
        let memoryLimit = "more than any host has (at most 1 PiB)"

        // CPUs: ascending unique ids, each node and sibling known.
        var present = CPUSet()
        var previous = -1
        for (i, cpu) in topology.cpus.enumerated() {
            let path = "topology.cpus[\(i)]"
            guard cpu.id >= 0, cpu.id <= CPUSet.maximumObservedID else {
                problem("\(path).id", "\(cpu.id) is not a CPU id (0 to \(CPUSet.maximumObservedID))")
                continue
            }
            if present.contains(cpu.id) {
                problem("\(path).id", "CPU \(cpu.id) is listed twice")
            } else if cpu.id < previous {
                problem("\(path).id", "CPU \(cpu.id) comes after CPU \(previous); CPUs are listed by ascending id")
            }
            present.insert(cpu.id)
            previous = max(previous, cpu.id)
            if let p = cpu.package, p < 0 { problem("\(path).package", "\(p) is negative") }
            if let c = cpu.core, c < 0 { problem("\(path).core", "\(c) is negative") }
        }
        var nodeIDs = CPUSet()
        var nodeOfCPU: [Int: Int] = [:]
        for (i, node) in topology.nodes.enumerated() {
            let path = "topology.nodes[\(i)]"
            guard node.id >= 0, node.id <= Self.maximumNodeID else {
                problem("\(path).id", "\(node.id) is not a NUMA node id (0 to \(Self.maximumNodeID))")
                continue
            }
            if nodeIDs.contains(node.id) { problem("\(path).id", "node \(node.id) is listed twice") }
            nodeIDs.insert(node.id)
            let absent = node.cpus.subtracting(present)
            if !absent.isEmpty { problem("\(path).cpus", "CPUs \(absent) are not in topology.cpus") }
            for cpu in node.cpus.intersection(present) {
                if let other = nodeOfCPU[cpu], other != node.id {
                    problem("\(path).cpus", "CPU \(cpu) is in node \(other) as well; a CPU belongs to one node")
                } else {
                    nodeOfCPU[cpu] = node.id
                }
            }
            if node.memoryBytes > Self.maximumMemoryBytes { problem("\(path).memoryBytes", "\(node.memoryBytes) bytes is \(memoryLimit)") }
            if node.freeBytes > node.memoryBytes {
                problem("\(path).freeBytes", "\(node.freeBytes) bytes free is more than the node's \(node.memoryBytes)")
            }
            // A node without a directory in sysfs (memoryless, offline) still
            // has a column in the distance table: no count to compare.
            if node.distances.count > Self.maximumNodeID + 1 {
                problem("\(path).distances", "\(node.distances.count) distances; Linux has at most \(Self.maximumNodeID + 1) nodes")
            }
            if let d = node.distances.first(where: { $0 < 0 || $0 > 255 }) {
                problem("\(path).distances", "\(d) is not a NUMA distance (0 to 255)")
            }
            var sizes = Set<UInt64>()
            for (k, pool) in node.hugepages.enumerated() {
                let poolPath = "\(path).hugepages[\(k)]"
                let size = pool.sizeBytes
                if size < 4096 || size > 16 << 30 || size & (size - 1) != 0 {
                    problem("\(poolPath).sizeBytes", "\(size) is not a hugepage size (a power of two from 4 KiB to 16 GiB)")
                    continue
                }
                if !sizes.insert(size).inserted { problem("\(poolPath).sizeBytes", "a second pool of \(ByteSize(size))") }
                if pool.total < 0 || pool.free < 0 || pool.free > pool.total {
                    problem(poolPath, "\(pool.free) free of \(pool.total) pages is not a pool (0 <= free <= total)")
                } else if UInt64(pool.total) > Self.maximumMemoryBytes / size {
                    problem("\(poolPath).total", "\(pool.total) pages of \(ByteSize(size)) is \(memoryLimit)")
                }
            }
        }
        for (i, cpu) in topology.cpus.enumerated() where cpu.id >= 0 && cpu.id <= CPUSet.maximumObservedID {
            let path = "topology.cpus[\(i)]"
            // A CPU's node may be missing from topology.nodes: the kernel links
            // CPUs to nodes that have no directory (the probe warns).
            if let node = cpu.node {
                if node < 0 || node > Self.maximumNodeID {
                    problem("\(path).node", "\(node) is not a NUMA node id (0 to \(Self.maximumNodeID))")
                } else if let listed = nodeOfCPU[cpu.id], listed != node {
                    problem("\(path).node", "CPU \(cpu.id) says node \(node), but node \(listed) lists it")
                }
            }
            if !cpu.threadSiblings.contains(cpu.id) {
                problem("\(path).threadSiblings", "\(cpu.threadSiblings) does not include CPU \(cpu.id) itself")
            }
            let strangers = cpu.threadSiblings.subtracting(present)
            if !strangers.isEmpty { problem("\(path).threadSiblings", "CPUs \(strangers) are not in topology.cpus") }
            if let l3 = cpu.l3, !present.contains(l3) { problem("\(path).l3", "CPU \(l3) is not in topology.cpus") }
            if let mates = cpu.packageCPUs {
                if !mates.contains(cpu.id) {
                    problem("\(path).packageCPUs", "\(mates) does not include CPU \(cpu.id) itself")
                } else if cpu.package == nil {
                    problem("\(path).packageCPUs", "is given for a CPU whose package is unknown (null)")
                }
                let outside = mates.subtracting(present)
                if !outside.isEmpty { problem("\(path).packageCPUs", "CPUs \(outside) are not in topology.cpus") }
            }
        }
        problems += deviceInconsistencies(present: present, nodeIDs: nodeIDs)
        problems += threadSiblingContradictions(present)
        if let block = topology.memoryBlockSizeBytes, block == 0 || block & (block - 1) != 0 || block > Self.maximumMemoryBytes {
            problem("topology.memoryBlockSizeBytes", "\(block) is not a memory block size (a power of two)")
        }

        // Enclaves and co-kernel pools hold CPUs and memory of this host, each CPU once.
        var holder: [Int: String] = [:]
        func claim(_ cpus: CPUSet, _ memory: [MemoryChunk], by label: String, at path: String) {
            let absent = cpus.subtracting(present)
            if !absent.isEmpty { problem("\(path).cpus", "CPUs \(absent) are not in topology.cpus") }
            for cpu in cpus.intersection(present) {
                if let other = holder[cpu] {
                    problem("\(path).cpus", "CPU \(cpu) is held by \(other) as well")
                } else {
                    holder[cpu] = label
                }
            }
            var total: UInt64 = 0
            for (k, chunk) in memory.enumerated() {
                if !nodeIDs.contains(chunk.node) { problem("\(path).memory[\(k)].node", "node \(chunk.node) is not in topology.nodes") }
                let (sum, overflow) = total.addingReportingOverflow(chunk.bytes)
                total = overflow ? UInt64.max : sum
            }
            if total > Self.maximumMemoryBytes { problem("\(path).memory", "\(total) bytes is \(memoryLimit)") }
        }
        for (i, e) in enclaves.enumerated() {
            claim(e.cpus, e.memory, by: e.ownerLabel, at: "enclaves[\(i)]")
        }
        for (i, p) in enclavePools.enumerated() {
            claim(p.cpus, p.memory, by: "the \(p.driver.rawValue) pool", at: "enclavePools[\(i)]")
        }
        var names = Set<String>()
        for (i, e) in enclaves.enumerated() {
            if let name = e.name, !names.insert(name).inserted { problem("enclaves[\(i)].name", "enclave '\(name)' is listed twice") }
        }
        if let units = systemd?.units {
            var seen = Set<String>()
            for (i, unit) in units.enumerated() where !seen.insert(unit.name).inserted {
                problem("systemd.units[\(i)].name", "unit \(unit.name) is listed twice")
            }
        }
        return problems
    }

    /// Thread siblings are the CPUs of one core: every CPU a set names must
    /// name the same set. CPU 0 saying {0,1} while CPU 1 says {1} (or
    /// {1,2}) is no core any host has, and the planner would give one core
    /// to two owners. Each contradiction once, at the lower CPU's entry.
    func threadSiblingContradictions(_ present: CPUSet) -> [String] {
        var index: [Int: Int] = [:]
        for (i, cpu) in topology.cpus.enumerated() where index[cpu.id] == nil { index[cpu.id] = i }
        var problems: [String] = []
        var reported = Set<Int>()
        for (i, cpu) in topology.cpus.enumerated() where present.contains(cpu.id) && !reported.contains(cpu.id) {
            for mate in cpu.threadSiblings where mate != cpu.id {
                guard let j = index[mate] else { continue }
                let theirs = topology.cpus[j].threadSiblings
                guard theirs != cpu.threadSiblings else { continue }
                problems.append(
                    "topology.cpus[\(i)].threadSiblings: CPU \(cpu.id) has thread siblings \(cpu.threadSiblings), "
                        + "but CPU \(mate) has \(theirs.isEmpty ? "none" : theirs.description); the CPUs of a core list the same siblings")
                reported.formUnion(cpu.threadSiblings)
                break
            }
        }
        return problems
    }
}
