extension CPUPlacer {
    /// Places one owner: tries its settled amount, then (if that does not
    /// fit its NUMA constraints) smaller amounts down to its nominal count
    /// for growth, or down to its `min` under priority shrink.
    func fill(
        _ owner: CPUOwner, amount: Int, free: CPUSet, seed: CPUSet, selector: NodeSelector, coreSizes: Set<Int>
    ) -> Result<(CPUSet, Int), Diagnostic> {
        let allocator = selector.allocator
        if let numa = owner.numa, let bad = numa.first(where: { index.nodeCPUs[$0] == nil }) {
            return .failure(.error(
                "\(owner.id) asks for NUMA node \(bad), but this host has node(s) \(CPUSet(index.nodeIDs))",
                file: file, at: owner.mark))
        }
        let candidates = candidateNodes(owner, selector)
        if wholeCores && !owner.roundsUpToWholeCores, let d = wholeCoreMismatch(owner, amount, coreSizes) { return .failure(d) }

        let floor = owner.id == .host ? amount : min(owner.minimum, amount)
        var count = amount
        var lastShortfall: NodeSelector.Shortfall?
        while count >= max(floor, 1) {
            // An owner that needs more than it keeps (it grew, or lost CPUs)
            // keeps every CPU it has and gains nearby ones; it moves only when
            // the policy cannot hold its CPUs with the new ones (single node,
            // restricted, `numa:`).
            if !seed.isEmpty, let cpus = grow(owner, to: count, free: free, seed: seed, keeping: seed, selector: selector) {
                return .success((cpus, count))
            }
            switch selector.choose(count, policy: policy.topology, free: free, candidates: candidates, keep: seed, wholeCores: wholeCores) {
            case .success(let choice):
                let within = free.intersection(cpus(ofNodes: choice.nodes))
                if let cpus = allocator.allocate(count, from: within, seed: seed, wholeCores: wholeCores) {
                    return .success((cpus, count))
                }
            case .failure(let s):
                lastShortfall = lastShortfall ?? s
            }
            count -= step
        }
        if amount == 0 { return .success((CPUSet(), 0)) }
        return .failure(shortfallDiagnostic(owner, amount, lastShortfall, free: free, candidates: candidates))
    }

    /// A bigger set for an elastic owner that keeps what it has (`seed`),
    /// within its NUMA constraints; nil when `count` does not fit.
    func grow(_ owner: CPUOwner, to count: Int, free: CPUSet, seed: CPUSet, keeping mine: CPUSet, selector: NodeSelector) -> CPUSet? {
        let candidates = candidateNodes(owner, selector)
        guard case .success(let choice) = selector.choose(
            count, policy: policy.topology, free: free, candidates: candidates, keep: seed, wholeCores: wholeCores,
            requiring: index.nodes(of: mine))
        else { return nil }
        let within = free.intersection(cpus(ofNodes: choice.nodes))
        // Free siblings of the cores it holds come first: they complete its cores.
        var nearest = seed
        for cpu in mine where !wholeCores && nearest.count < count {
            for t in index.core(of: cpu)?.threads ?? CPUSet() where nearest.count < count && within.contains(t) { nearest.insert(t) }
        }
        guard let grown = selector.allocator.allocate(count, from: within, seed: nearest, wholeCores: wholeCores),
            mine.isSubset(of: grown)
        else { return nil }
        return grown
    }

    /// The nodes an owner may use that have assignable CPUs; every owner
    /// without `numa` shares the selector's list (built once).
    private func candidateNodes(_ owner: CPUOwner, _ selector: NodeSelector) -> [Int] {
        guard let numa = owner.numa else { return selector.usableNodes }
        return numa.filter { !(index.nodeCPUs[$0] ?? CPUSet()).isDisjoint(with: universe) }
    }

    /// Whole cores cannot make up `amount` CPUs when every core has the same
    /// number of threads and the amount is not a multiple of it.
    private func wholeCoreMismatch(_ owner: CPUOwner, _ amount: Int, _ sizes: Set<Int>) -> Diagnostic? {
        guard sizes.count == 1, let t = sizes.first, t > 1, amount % t != 0 else { return nil }
        return .error(
            "\(owner.id) asks for \(amount) CPUs, which whole cores of \(t) threads cannot make up (policy.smt: whole-cores)",
            file: file, at: owner.mark,
            hints: ["ask for a multiple of \(t) (e.g. \(amount / t * t == 0 ? t : amount / t * t) or \((amount / t + 1) * t)), or set policy.smt: threads"])
    }

    private func shortfallDiagnostic(
        _ owner: CPUOwner, _ amount: Int, _ s: NodeSelector.Shortfall?, free: CPUSet, candidates: [Int]
    ) -> Diagnostic {
        let caps = s?.capacity ?? candidates.map { ($0, free.intersection(index.nodeCPUs[$0] ?? CPUSet()).count) }
        let perNode = caps.map { "node \($0.node): \($0.free)" }.joined(separator: ", ")
        let allowed = s?.nodesAllowed ?? candidates.count
        let best = caps.map(\.free).sorted(by: >).prefix(allowed).reduce(0, +)
        let missing = max(amount - best, 0)
        var where_ = ""
        if let near = owner.near, near.strict {
            where_ = " near \(near.label)"
        } else if let numa = owner.numa {
            where_ = " on NUMA node(s) \(CPUSet(numa))"
        } else if policy.topology == .singleNUMANode || policy.topology == .restricted, allowed < candidates.count {
            where_ = " within \(allowed) NUMA node\(allowed == 1 ? "" : "s") (policy.topology: \(policy.topology.rawValue))"
        }
        let what = wholeCores ? "free whole-core CPUs" : "free CPUs"
        var message = "cannot place \(amount) CPUs for \(owner.id)\(where_): "
        if missing > 0 {
            message += "\(missing) CPU\(missing == 1 ? "" : "s") missing (\(what): \(perNode))"
        } else {
            message += "the \(what) are too fragmented (\(perNode))"
        }
        var hints = ["lower its count or min, free CPUs from owners with a lower priority"]
        // Only when the host has the CPUs, just not within the allowed nodes.
        if policy.topology != .none && owner.numa == nil && caps.map(\.free).reduce(0, +) >= amount {
            hints.append("or relax policy.topology")
        }
        if let near = owner.near, near.strict {
            hints.append("or set policy.topology: best-effort to place it elsewhere when the device's node is full")
            return .error(message, file: file, at: near.mark ?? owner.mark, hints: hints)
        }
        return .error(message, file: file, at: owner.mark, hints: hints)
    }
}
