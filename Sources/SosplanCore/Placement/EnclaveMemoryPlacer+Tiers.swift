/// An enclave's memory of a tier (`memory: {size, tier, policy}`): the
/// co-kernel reserves it per NUMA node, so the policy decides the split over
/// the tier's nodes nearest the enclave's CPUs: `bind` (the default) only
/// there, `preferred` there first and the rest near the CPUs as usual,
/// `interleave` evenly over them.
extension EnclaveMemoryPlacer {
    var tiers: MemoryTierNodes { MemoryTierNodes(topology: snapshot.topology, index: index) }

    /// Whether a request is placed here rather than by `spread`.
    static func isTiered(_ request: MemoryRequest) -> Bool {
        request.numa == nil && ((request.tier != nil && request.tier != .any) || request.policy == .interleave)
    }

    func tieredChunks(
        _ size: UInt64, _ request: MemoryRequest, enclave: EnclaveSpec, cpus: CPUSet, granularity: UInt64, left: [Int: UInt64],
        mark: SourceMark, diagnostics: inout [Diagnostic]
    ) -> [Int: UInt64]? {
        let cpuNodes = index.nodes(of: cpus)
        var chosen = cpuNodes
        let tier = request.tier?.tier
        if let tier {
            guard !tiers.all(tier).isEmpty else {
                let placer = ServiceMemoryPlacer(layout: layout, tiers: tiers)
                diagnostics.append(placer.missingTierDiagnostic(tier, owner: "enclave '\(enclave.name)'", field: "memory.tier", at: mark))
                return nil
            }
            chosen = cpuNodes.isEmpty ? tiers.all(tier) : tiers.nearest(tier, to: cpuNodes)
        }
        let what = tier.map { "\($0.rawValue) memory" } ?? "memory"
        switch request.policy ?? .bind {
        case .interleave:
            guard let even = evenly(size, over: chosen, granularity: granularity, left: left) else {
                diagnostics.append(.error(
                    "enclave '\(enclave.name)' needs \(ByteSize(size)) of \(what) interleaved over NUMA nodes \(chosen), which cannot each hold their share (\(free(chosen, left)))",
                    file: layout.file, at: mark, hints: ["lower the size, or use policy: preferred to take what does not fit elsewhere"]))
                return nil
            }
            return even
        case .bind:
            guard let filled = fill(size, over: chosen, granularity: granularity, left: left), filled.values.reduce(0, +) == size else {
                diagnostics.append(.error(
                    "enclave '\(enclave.name)' needs \(ByteSize(size)) of \(what) near its CPUs on NUMA nodes \(chosen), which have \(free(chosen, left))",
                    file: layout.file, at: mark, hints: ["lower the size, or use policy: preferred to take DRAM behind it"]))
                return nil
            }
            return filled
        case .preferred:
            var result = fill(size, over: chosen, granularity: granularity, left: left) ?? [:]
            let placed = result.values.reduce(0, +)
            guard placed < size else { return result }
            var rest = left
            for (node, bytes) in result { rest[node, default: 0] -= bytes }
            for node in chosen { rest[node] = 0 }
            guard let behind = spread(size - placed, near: cpus, granularity: granularity, left: rest) else {
                diagnostics.append(.error(
                    "enclave '\(enclave.name)' needs \(ByteSize(size)) of memory, \(ByteSize(placed)) of it \(what) on NUMA nodes \(chosen); the host cannot hold the rest",
                    file: layout.file, at: mark, hints: ["lower the size, or free memory (hugepages, other enclaves)"]))
                return nil
            }
            for (node, bytes) in behind { result[node, default: 0] += bytes }
            return result
        }
    }

    /// `size` in equal shares (in granules; the first nodes take the
    /// remainder), or nil when a node cannot hold its share.
    private func evenly(_ size: UInt64, over nodes: CPUSet, granularity: UInt64, left: [Int: UInt64]) -> [Int: UInt64]? {
        let ids = Array(nodes)
        guard !ids.isEmpty else { return nil }
        let granules = size / granularity
        var result: [Int: UInt64] = [:]
        for (k, node) in ids.enumerated() {
            let share = (granules / UInt64(ids.count) + (UInt64(k) < granules % UInt64(ids.count) ? 1 : 0)) * granularity
            guard share <= left[node, default: 0] else { return nil }
            if share > 0 { result[node] = share }
        }
        return result
    }

    /// As much of `size` as the nodes hold, in turns of one granule per node
    /// (so it spreads evenly while every node has room); nil when they hold nothing.
    private func fill(_ size: UInt64, over nodes: CPUSet, granularity: UInt64, left: [Int: UInt64]) -> [Int: UInt64]? {
        var room = Dictionary(uniqueKeysWithValues: nodes.map { ($0, left[$0, default: 0] / granularity) })
        var want = size / granularity
        var result: [Int: UInt64] = [:]
        while want > 0 {
            let open = nodes.filter { room[$0, default: 0] > 0 }
            guard !open.isEmpty else { break }
            // Whole rounds at once: every open node takes as many granules as the smallest room allows.
            let round = min(room.filter { open.contains($0.key) }.values.min()!, max(want / UInt64(open.count), 1))
            for node in open where want > 0 {
                let take = min(round, want)
                result[node, default: 0] += take * granularity
                room[node]! -= take
                want -= take
            }
        }
        return result.isEmpty ? nil : result
    }

    private func free(_ nodes: CPUSet, _ left: [Int: UInt64]) -> String {
        nodes.map { "node \($0): \(ByteSize(left[$0, default: 0]).humanReadable)" }.joined(separator: ", ")
    }
}
