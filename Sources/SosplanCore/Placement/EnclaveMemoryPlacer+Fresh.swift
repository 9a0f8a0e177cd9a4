extension EnclaveMemoryPlacer {
    /// Memory for an enclave from scratch; nil (with a diagnostic) when a
    /// request does not fit.
    func freshChunks(
        _ enclave: EnclaveSpec, cpus: CPUSet, granularity: UInt64, avail: [Int: UInt64], diagnostics: inout [Diagnostic]
    ) -> [Int: UInt64]? {
        var left = avail
        var chunks: [Int: UInt64] = [:]
        var ok = true
        for (j, request) in enclave.memory.enumerated() {
            let size = (request.size.bytes + granularity - 1) / granularity * granularity
            let mark = enclave.marks["memory[\(j)].size"] ?? enclave.marks["memory"] ?? enclave.marks.object
            if let node = request.numa {
                guard left[node] != nil else {
                    diagnostics.append(.error(
                        "enclave '\(enclave.name)' asks for memory on NUMA node \(node), but this host has node(s) \(CPUSet(index.nodeIDs))",
                        file: layout.file, at: enclave.marks["memory[\(j)].numa"] ?? mark))
                    ok = false
                    continue
                }
                if let tier = request.tier?.tier, let n = snapshot.topology.node(node), !tiers.holds(n, tier) {
                    diagnostics.append(.error(
                        "enclave '\(enclave.name)' asks for \(tier.rawValue) memory on NUMA node \(node), which holds \(n.memoryTier?.rawValue ?? "dram") memory (\(tiers.summary))",
                        file: layout.file, at: enclave.marks["memory[\(j)].tier"] ?? mark,
                        hints: ["leave numa out to take the \(tier.rawValue) nodes nearest the enclave's CPUs"]))
                    ok = false
                    continue
                }
                guard left[node]! >= size else {
                    diagnostics.append(.error(
                        "enclave '\(enclave.name)' needs \(ByteSize(size)) on NUMA node \(node), which has only \(ByteSize(left[node]!).humanReadable) available",
                        file: layout.file, at: mark,
                        hints: ["lower the size, move it to another node, or free memory (hugepages, other enclaves)"]))
                    ok = false
                    continue
                }
                chunks[node, default: 0] += size
                left[node]! -= size
                continue
            }
            if Self.isTiered(request) {
                // At the tier (or policy) as written: `memory: {size, tier}` or `memory: [{size, tier}, ...]`.
                let field = request.tier != nil ? "tier" : "policy"
                let at = enclave.marks.exactly("memory[\(j)].\(field)") ?? enclave.marks.exactly("memory.\(field)") ?? mark ?? .start
                guard let split = tieredChunks(
                    size, request, enclave: enclave, cpus: cpus, granularity: granularity, left: left, mark: at, diagnostics: &diagnostics)
                else {
                    ok = false
                    continue
                }
                for (node, bytes) in split {
                    chunks[node, default: 0] += bytes
                    left[node]! -= bytes
                }
                continue
            }
            guard let split = spread(size, near: cpus, granularity: granularity, left: left) else {
                let total = left.values.reduce(0, +)
                diagnostics.append(.error(
                    "enclave '\(enclave.name)' needs \(ByteSize(size)) of memory, but the host has only \(ByteSize(total).humanReadable) available (" +
                        left.sorted { $0.key < $1.key }.map { "node \($0.key): \(ByteSize($0.value).humanReadable)" }.joined(separator: ", ") + ")",
                    file: layout.file, at: mark, hints: ["lower the size, or free memory (hugepages, other enclaves)"]))
                ok = false
                continue
            }
            for (node, bytes) in split {
                chunks[node, default: 0] += bytes
                left[node]! -= bytes
            }
        }
        return ok ? chunks : nil
    }

    /// Splits `size` over the nodes of `cpus` in proportion to their CPUs
    /// (in granules), spilling what a node cannot hold to the nearest nodes.
    func spread(_ size: UInt64, near cpus: CPUSet, granularity: UInt64, left: [Int: UInt64]) -> [Int: UInt64]? {
        var perNode: [Int: Int] = [:]
        for cpu in cpus { if let c = index.core(of: cpu) { perNode[c.node, default: 0] += 1 } }
        if perNode.isEmpty, let first = snapshot.topology.nodes.first(where: \.takesUnnamedMemory)?.id ?? index.nodeIDs.first {
            perNode[first] = 1
        }
        let homes = perNode.keys.sorted { (-perNode[$0]!, $0) < (-perNode[$1]!, $1) }
        let granules = size / granularity
        let totalCPUs = UInt64(perNode.values.reduce(0, +))
        var want: [Int: UInt64] = [:]
        var assigned: UInt64 = 0
        for node in homes {
            let share = granules * UInt64(perNode[node]!) / totalCPUs
            want[node] = share
            assigned += share
        }
        want[homes[0]]! += granules - assigned
        var result: [Int: UInt64] = [:]
        var overflow: UInt64 = 0
        for node in homes {
            let capacity = left[node, default: 0] / granularity
            let take = min(want[node]!, capacity)
            if take > 0 { result[node] = take * granularity }
            overflow += want[node]! - take
        }
        if overflow > 0 {
            // Spill to the nearest nodes with room (first home node's
            // distances), never to a CPU-less node: its device or slow memory
            // goes to an enclave only when the layout names the node.
            let namedOnly = Set(snapshot.topology.nodes.filter { !$0.takesUnnamedMemory }.map(\.id))
            let others = left.keys.filter { !namedOnly.contains($0) }
                .sorted { (index.distance(homes[0], $0), $0) < (index.distance(homes[0], $1), $1) }
            for node in others where overflow > 0 {
                let used = (result[node] ?? 0) / granularity
                let capacity = left[node, default: 0] / granularity - used
                let take = min(capacity, overflow)
                if take > 0 { result[node, default: 0] += take * granularity }
                overflow -= take
            }
        }
        return overflow == 0 ? result : nil
    }
}
