extension CPUPlacer {
    /// `fill`, for an owner placed near devices under best-effort (or
    /// none): on the devices' nodes when all its CPUs fit there, elsewhere
    /// (keeping what it holds) with a note when they do not. A strict
    /// `near` is already the owner's `numa`.
    func fillNear(
        _ owner: CPUOwner, amount: Int, free: CPUSet, seed: CPUSet, selector: NodeSelector, coreSizes: Set<Int>, notes: inout [String]
    ) -> Result<(CPUSet, Int), Diagnostic> {
        guard let near = owner.near, !near.strict else {
            return fill(owner, amount: amount, free: free, seed: seed, selector: selector, coreSizes: coreSizes)
        }
        var there = owner
        there.near = nil
        there.numa = Array(owner.numa.map { CPUSet($0).intersection(near.nodes) } ?? near.nodes)
        // All its CPUs elsewhere rather than fewer near the device.
        there.minimum = amount
        if !(there.numa ?? []).isEmpty,
            case .success(let placed) = fill(there, amount: amount, free: free, seed: seed, selector: selector, coreSizes: coreSizes)
        {
            return .success(placed)
        }
        var elsewhere = owner
        elsewhere.near = nil
        let result = fill(elsewhere, amount: amount, free: free, seed: seed.union(owner.current.intersection(free)), selector: selector, coreSizes: coreSizes)
        if case .success(let (cpus, _)) = result {
            notes.append("\(owner.id) does not fit near \(near.label): placed on NUMA node(s) \(index.nodes(of: cpus)) instead (policy.topology: \(policy.topology.rawValue))")
        }
        return result
    }
}
