/// Places each enclave's memory per NUMA node: requests with `numa` on that
/// node, the rest near the enclave's CPUs (split by CPUs per node, spilling
/// to the nearest nodes), in the co-kernel's granularity, never touching
/// `host.memory`. An enclave whose current memory still satisfies its
/// requests keeps it (no churn, and no shrink a co-kernel cannot do live).
struct EnclaveMemoryPlacer {
    let layout: HostLayout
    let snapshot: HostSnapshot
    let index: TopologyIndex
    let capabilities: [EnclaveDriverKind: EnclaveCapabilities]
    let observed: ObservedAssignments
    let pinned: Set<String>

    struct Result {
        var chunks: [String: [MemoryChunk]] = [:]
        var diagnostics: [Diagnostic] = []
    }

    static let defaultGranularity: UInt64 = 4 << 20

    /// Bytes each node can give enclaves: free now plus what layout-managed
    /// enclaves hold (they are re-placed or destroyed).
    func available() -> [Int: UInt64] {
        var avail: [Int: UInt64] = [:]
        for node in snapshot.topology.nodes { avail[node.id] = node.freeBytes }
        for inst in Array(observed.enclaves.values) + observed.orphanedEnclaves {
            for chunk in inst.memory { avail[chunk.node, default: 0] += chunk.bytes }
        }
        return avail
    }

    func place(enclaveCPUs: [String: CPUSet]) -> Result {
        var out = Result()
        var avail = available()
        var budget = avail.values.reduce(0, +)
        budget = budget > layout.host.memory.bytes ? budget - layout.host.memory.bytes : 0
        let ordered = layout.enclaves.enumerated().sorted { (-$0.element.priority, $0.offset) < (-$1.element.priority, $1.offset) }
        for (_, enclave) in ordered {
            let granularity = max(capabilities[enclave.driver]?.memoryGranularity ?? Self.defaultGranularity, 1)
            let current = observed.enclaves[enclave.name]?.memory ?? []
            var chunks: [Int: UInt64]
            if pinned.contains(enclave.name) || (!current.isEmpty && satisfies(current, enclave, granularity)) {
                chunks = Dictionary(current.map { ($0.node, $0.bytes) }, uniquingKeysWith: +)
            } else {
                guard let fresh = freshChunks(enclave, cpus: enclaveCPUs[enclave.name] ?? CPUSet(), granularity: granularity, avail: avail, diagnostics: &out.diagnostics) else { continue }
                chunks = fresh
            }
            let total = chunks.values.reduce(0, +)
            if total > budget {
                out.diagnostics.append(.error(
                    "enclave '\(enclave.name)' needs \(ByteSize(total)) of memory, but only \(ByteSize(budget).humanReadable) is left for enclaves after host.memory (\(layout.host.memory))",
                    file: layout.file, at: enclave.marks["memory"] ?? enclave.marks.object,
                    hints: ["lower the enclave's memory or host.memory"]))
                continue
            }
            budget -= total
            for (node, bytes) in chunks { avail[node, default: 0] -= min(bytes, avail[node, default: 0]) }
            out.chunks[enclave.name] = chunks.sorted { $0.key < $1.key }.map { MemoryChunk(node: $0.key, bytes: $0.value) }
        }
        return out
    }

    private func roundUp(_ bytes: UInt64, _ granularity: UInt64) -> UInt64 {
        (bytes + granularity - 1) / granularity * granularity
    }

    /// Current memory still fits the requests: same total, and enough on
    /// every node a request names.
    private func satisfies(_ current: [MemoryChunk], _ enclave: EnclaveSpec, _ granularity: UInt64) -> Bool {
        let have = Dictionary(current.map { ($0.node, $0.bytes) }, uniquingKeysWith: +)
        let wanted = enclave.memory.reduce(0) { $0 + roundUp($1.size.bytes, granularity) }
        guard have.values.reduce(0, +) == wanted else { return false }
        var pinnedNeed: [Int: UInt64] = [:]
        for req in enclave.memory { if let n = req.numa { pinnedNeed[n, default: 0] += roundUp(req.size.bytes, granularity) } }
        guard pinnedNeed.allSatisfy({ have[$0.key, default: 0] >= $0.value }) else { return false }
        // Memory of a tier: enough of it on the tier's nodes (placed fresh when the tiers changed).
        var tierNeed: [MemoryTier: UInt64] = [:]
        for req in enclave.memory where Self.isTiered(req) {
            guard let tier = req.tier?.tier else { return false }
            tierNeed[tier, default: 0] += roundUp(req.size.bytes, granularity)
        }
        return tierNeed.allSatisfy { tier, need in
            have.filter { node, _ in snapshot.topology.node(node).map { tiers.holds($0, tier) } ?? false }.values.reduce(0, +) >= need
        }
    }
}
