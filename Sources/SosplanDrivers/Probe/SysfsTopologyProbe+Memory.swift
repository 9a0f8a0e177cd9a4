import SosplanCore

extension SysfsTopologyProbe {
    static let memoryBase = "sys/devices/system/memory"

    /// Memory hotplug blocks: `block_size_bytes` and, per node, which
    /// `memoryN` blocks are online or offline. Nil block size (and no
    /// blocks) when the kernel has no memory hotplug.
    func readMemoryBlocks(_ sys: SysfsReader, nodes: inout [NUMANode], _ warnings: inout ProbeWarnings) -> UInt64? {
        guard let blockSize = memoryBlockSize(sys, &warnings) else { return nil }
        let blocks = sys.numberedEntries(Self.memoryBase, prefix: "memory") ?? []
        guard !blocks.isEmpty else { return blockSize }
        var nodeOf: [Int: Int] = [:]
        // The node directories link their blocks (nodeN/memoryM) ...
        for node in nodes {
            for block in sys.numberedEntries("\(Self.nodeBase)/node\(node.id)", prefix: "memory") ?? [] {
                nodeOf[block] = node.id
            }
        }
        // ... else each block links its node (memoryM/nodeN), or a snapshot
        // folder stores that link as a `memoryM.node` file.
        for block in blocks where nodeOf[block] == nil {
            if let node = sys.numberedEntries("\(Self.memoryBase)/memory\(block)", prefix: "node")?.first {
                nodeOf[block] = node
            } else if let name = sys.trimmed("\(Self.memoryBase)/memory\(block).node"), name.hasPrefix("node"),
                let node = Int(name.dropFirst(4))
            {
                nodeOf[block] = node
            }
        }
        var perNode: [Int: MemoryBlocks] = [:]
        let onlyNode = nodes.count == 1 ? nodes[0].id : nil
        for block in blocks {
            guard let node = nodeOf[block] ?? onlyNode else {
                warnings.note("block-no-node", block) { "memory blocks \($0): no NUMA node in sysfs; not counted" }
                continue
            }
            if nodeOf[block] == nil {
                warnings.note("block-only-node", block) {
                    "memory blocks \($0): sysfs links them to no node; counted on node \(node), the only one"
                }
            }
            var entry = perNode[node] ?? MemoryBlocks()
            if blockIsOnline(sys, block) { entry.online.insert(block) } else { entry.offline.insert(block) }
            perNode[node] = entry
        }
        for i in nodes.indices { nodes[i].memoryBlocks = perNode[nodes[i].id] }
        return blockSize
    }

    /// `state` is `online`, `offline` or `going-offline`; old kernels only
    /// have the `online` flag.
    private func blockIsOnline(_ sys: SysfsReader, _ block: Int) -> Bool {
        let dir = "\(Self.memoryBase)/memory\(block)"
        if let state = sys.trimmed("\(dir)/state") { return state == "online" }
        return sys.int("\(dir)/online").map { $0 != 0 } ?? true
    }
}
