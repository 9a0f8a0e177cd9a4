/// Turns `hugepages:` into pool sizes per page size and node (a request
/// without `numa` is split evenly over the nodes with CPUs and memory, the
/// remainder to the lowest ids) and checks them against the host: the page size must
/// exist there, and growth must fit the node's free memory after enclaves.
struct HugepagePlacer {
    let layout: HostLayout
    let snapshot: HostSnapshot
    let enclaveMemory: [String: [MemoryChunk]]

    struct Result {
        var pools: [HugepagePlacement] = []
        var diagnostics: [Diagnostic] = []
    }

    func place() -> Result {
        var out = Result()
        guard !layout.hugepages.isEmpty else { return out }
        let nodes = snapshot.topology.nodes
        let supported = Set(nodes.flatMap { $0.hugepages.map(\.sizeBytes) })
        var targets: [Key: Int] = [:]
        var origin: [Key: HugepageRequest] = [:]
        for request in layout.hugepages {
            if !supported.isEmpty && !supported.contains(request.size.bytes) {
                out.diagnostics.append(.error(
                    "hugepage size \(request.size) is not supported by this host (it has \(supported.sorted().map { ByteSize($0).description }.joined(separator: ", ")))",
                    file: layout.file, at: request.marks["size"] ?? request.marks.object))
                continue
            }
            // Without `numa`: the nodes with CPUs (CPU-less nodes hold device
            // or slow memory, used only when named), else any with memory.
            var targetNodes = nodes.filter(\.takesUnnamedMemory).map(\.id)
            if targetNodes.isEmpty { targetNodes = nodes.filter { $0.memoryBytes > 0 }.map(\.id) }
            if let n = request.numa {
                guard nodes.contains(where: { $0.id == n }) else {
                    out.diagnostics.append(.error(
                        "hugepages on NUMA node \(n), but this host has node(s) \(CPUSet(nodes.map(\.id)))",
                        file: layout.file, at: request.marks["numa"] ?? request.marks.object))
                    continue
                }
                targetNodes = [n]
            }
            guard !targetNodes.isEmpty else { continue }
            for (i, node) in targetNodes.enumerated() {
                let count = request.count / targetNodes.count + (i < request.count % targetNodes.count ? 1 : 0)
                let key = Key(size: request.size.bytes, node: node)
                targets[key, default: 0] += count
                origin[key] = origin[key] ?? request
            }
        }
        checkMemory(targets, origin, &out.diagnostics)
        out.pools = targets.keys.sorted().map { HugepagePlacement(sizeBytes: $0.size, node: $0.node, count: targets[$0]!) }
        return out
    }

    struct Key: Hashable, Comparable {
        var size: UInt64
        var node: Int
        static func < (a: Key, b: Key) -> Bool { (a.size, a.node) < (b.size, b.node) }
    }

    /// Growth of a node's pools must fit its free memory once enclaves are placed.
    private func checkMemory(_ targets: [Key: Int], _ origin: [Key: HugepageRequest], _ diagnostics: inout [Diagnostic]) {
        var free: [Int: Int64] = [:]
        for node in snapshot.topology.nodes { free[node.id] = Int64(node.freeBytes) }
        // Memory sosplan's enclaves hold now comes back before it is placed again;
        // enclaves sosplan does not manage keep theirs.
        for inst in snapshot.enclaves where inst.name != nil { for c in inst.memory { free[c.node, default: 0] += Int64(c.bytes) } }
        for chunks in enclaveMemory.values { for c in chunks { free[c.node, default: 0] -= Int64(c.bytes) } }
        var growth: [Int: Int64] = [:]
        var blame: [Int: Key] = [:]
        for (key, count) in targets {
            let current = snapshot.topology.node(key.node)?.hugepages(size: key.size)?.total ?? 0
            let delta = Int64(count - current) * Int64(key.size)
            growth[key.node, default: 0] += delta
            if delta > 0, blame[key.node].map({ key < $0 }) ?? true { blame[key.node] = key }
        }
        for (node, delta) in growth.sorted(by: { $0.key < $1.key }) where delta > 0 && delta > free[node, default: 0] {
            let request = origin[blame[node]!]!
            diagnostics.append(.error(
                "hugepages on NUMA node \(node) need \(ByteSize(UInt64(delta)).humanReadable) more memory, but the node has only \(ByteSize(UInt64(max(free[node, default: 0], 0))).humanReadable) free after enclaves",
                file: layout.file, at: request.marks["count"] ?? request.marks.object,
                hints: ["lower the count, or place the pages on another node"]))
        }
    }
}
