/// A Linux service's memory nodes: `memory.nodes` as before, narrowed to
/// `memory.tier` (the HBM or DRAM nodes nearest the service's CPUs), and
/// the NUMA policy `memory.policy` asks for: the slice's
/// `AllowedMemoryNodes` bound, and the exec unit's `NUMAPolicy=` and
/// `NUMAMask=` (HBM first with DRAM behind it for `preferred`).
struct ServiceMemoryPlacer {
    let layout: HostLayout
    let tiers: MemoryTierNodes

    struct Outcome: Equatable {
        /// The slice's AllowedMemoryNodes (empty: any node).
        var allowed: CPUSet
        var tier: MemoryTier?
        var policy: MemoryPolicy?
        /// NUMAMask= for the policy.
        var policyNodes: CPUSet?
    }

    /// - Parameter cpuNodes: the nodes of the CPUs the service runs on (its
    ///   own, or the shared pool's).
    func place(_ service: ServiceSpec, cpuNodes: CPUSet, diagnostics: inout [Diagnostic], notes: inout [String]) -> Outcome {
        let limits = service.memory
        let fallback = limits.allowedNodes(local: cpuNodes)
        let tier = limits.tier?.tier
        guard tier != nil || limits.policy != nil else { return Outcome(allowed: fallback) }
        var chosen = fallback
        if let tier {
            guard !tiers.all(tier).isEmpty else {
                diagnostics.append(missingTier(tier, service))
                return Outcome(allowed: fallback)
            }
            switch limits.nodes {
            case .local: chosen = tiers.nearest(tier, to: cpuNodes)
            case .any: chosen = tiers.all(tier)
            case .list(let ids):
                let other = ids.filter { id in !(tiers.topology.node(id).map { tiers.holds($0, tier) } ?? false) }
                if !other.isEmpty {
                    diagnostics.append(.error(
                        "service '\(service.name)': memory.nodes \(CPUSet(other)) \(other.count == 1 ? "is" : "are") not \(tier.rawValue) memory (\(tiers.summary))",
                        file: layout.file, at: service.marks["memory.nodes"] ?? service.marks.object ?? .start,
                        hints: ["list \(tier.rawValue) nodes only, or write nodes: local for the \(tier.rawValue) nodes nearest the service's CPUs"]))
                    return Outcome(allowed: fallback)
                }
            }
        }
        // A policy needs nodes to name: `any` means every node of ordinary memory.
        let policyNodes = chosen.isEmpty ? tiers.all(.dram) : chosen
        switch limits.policy {
        case nil:
            return Outcome(allowed: chosen, tier: tier)
        case .bind?, .interleave?:
            return Outcome(allowed: chosen, tier: tier, policy: limits.policy, policyNodes: policyNodes)
        case .preferred?:
            // systemd's NUMAPolicy=preferred takes one node (the kernel's MPOL_PREFERRED);
            // the memory the service may use otherwise stays allowed behind it.
            guard let first = policyNodes.first else { return Outcome(allowed: fallback, tier: tier) }
            if policyNodes.count > 1 {
                notes.append("service '\(service.name)' prefers NUMA node \(first) of \(policyNodes): systemd's NUMAPolicy=preferred takes one node")
            }
            let allowed = fallback.isEmpty ? CPUSet() : fallback.union(chosen)
            return Outcome(allowed: allowed, tier: tier, policy: .preferred, policyNodes: CPUSet([first]))
        }
    }

    func missingTier(_ tier: MemoryTier, _ service: ServiceSpec) -> Diagnostic {
        missingTierDiagnostic(tier, owner: "service '\(service.name)'", field: "memory.tier",
                              at: service.marks["memory.tier"] ?? service.marks.object ?? .start)
    }

    func missingTierDiagnostic(_ tier: MemoryTier, owner: String, field: String, at mark: SourceMark) -> Diagnostic {
        var hints = ["memory tiers here: \(tiers.summary.isEmpty ? "none known" : tiers.summary) (sosplan observe shows them)"]
        let spm = tiers.all(.spm)
        if tier == .hbm && !spm.isEmpty {
            hints.append("node\(spm.count == 1 ? "" : "s") \(spm) \(spm.count == 1 ? "is" : "are") specific-purpose memory that the HMAT's bandwidths do not confirm as HBM")
        }
        hints.append("leave \(field) out (or write any) to take memory of any kind")
        return .error("\(owner): \(field): this host has no \(tier.rawValue) memory", file: layout.file, at: mark, hints: hints)
    }
}
