/// Assigns CPUs to owners: explicit lists first, then the host, then every
/// other owner by priority (higher first). Amounts are settled globally
/// before placing (lower priorities shrink first, spare CPUs go to owners
/// with a `max`, higher priority first); CPUs an owner already holds are
/// kept before anyone gets new ones, so changing one owner moves no other.
struct CPUPlacer {
    let index: TopologyIndex
    /// CPUs that can be assigned (online, or held by an enclave being placed).
    let universe: CPUSet
    let policy: LayoutPolicy
    let file: String
    /// CPUs the shared pool keeps when spare CPUs are handed out.
    let sharedFloor: Int

    struct Outcome {
        var assignments: [OwnerID: CPUSet] = [:]
        var diagnostics: [Diagnostic] = []
        /// Notes for the plan: shrinks and growths with their reason.
        var notes: [String] = []
    }

    var wholeCores: Bool { policy.smt == .wholeCores }
    var step: Int { wholeCores ? index.maxThreadsPerCore : 1 }

    func place(_ owners: [CPUOwner]) -> Outcome {
        var out = Outcome()
        var taken = CPUSet()
        let allocator = PackedAllocator(index: index, universe: universe)

        // 1. Explicit lists, as written.
        for owner in owners {
            guard let list = owner.explicit else { continue }
            if let d = checkExplicit(owner, list, taken: taken) {
                out.diagnostics.append(d)
                continue
            }
            out.assignments[owner.id] = list
            taken.formUnion(list)
        }
        let counted = owners.filter { $0.explicit == nil }
            .map { ($0.id == .host ? 0 : 1, -$0.priority, $0.order, $0) }
            .sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }.map(\.3)
        if counted.isEmpty { return out }

        // 2. Amounts: shrink lowest priority first, then hand out spare CPUs.
        let hostNeed = counted.first { $0.id == .host }.map { roundedHostCount($0) } ?? 0
        let available = universe.subtracting(taken).count - hostNeed - sharedFloor
        var amounts = Dictionary(uniqueKeysWithValues: counted.map { ($0.id, $0.id == .host ? hostNeed : $0.nominal) })
        var targets = amounts
        settleAmounts(
            counted.filter { $0.id != .host }, available: available, base: &amounts, targets: &targets,
            diagnostics: &out.diagnostics, notes: &out.notes)

        // 3. Keep what owners hold (valid under the policy), up to their target;
        // what an elastic owner holds beyond its base amount is its first to go.
        var kept: [OwnerID: CPUSet] = [:]
        var extra: [OwnerID: CPUSet] = [:]
        for owner in counted where !owner.current.isEmpty {
            var usable = owner.current.intersection(universe).subtracting(taken).subtracting(owner.forbidden)
            if let numa = owner.numa { usable = usable.intersection(cpus(ofNodes: numa)) }
            // Best-effort near: what it holds away from the devices is given up to try near them again.
            if let near = owner.near, !near.strict { usable = usable.intersection(cpus(ofNodes: Array(near.nodes))) }
            if wholeCores { usable = allocator.wholeCoreCPUs(usable) }
            let keep = allocator.trim(usable, to: targets[owner.id]!, wholeCores: wholeCores)
            kept[owner.id] = keep
            extra[owner.id] = keep.subtracting(allocator.trim(keep, to: amounts[owner.id]!, wholeCores: wholeCores))
            taken.formUnion(keep)
        }

        let selector = NodeSelector(allocator: allocator)
        // 4. Fill each owner up to its amount, best fit within its nodes: the
        // host, then owners tied to NUMA nodes, then the largest first (first
        // fit decreasing packs best); priority decides amounts, not spots.
        // Sort keys computed once per owner, not per comparison.
        let fillOrder = counted
            .map { a in ((a.id == .host ? 0 : 1, a.numa == nil ? 1 : 0, -amounts[a.id]!, -a.priority, a.order), a) }
            .sorted { $0.0 < $1.0 }.map(\.1)
        let coreSizes = Set(allocator.assignable.map(\.count).filter { $0 > 0 })
        var i = 0
        var retried = Set<OwnerID>()
        while i < fillOrder.count {
            let owner = fillOrder[i]
            let mine = kept[owner.id] ?? CPUSet()
            if mine.count >= amounts[owner.id]! {
                out.assignments[owner.id] = mine
                i += 1
                continue
            }
            let free = universe.subtracting(taken).union(mine).subtracting(owner.forbidden)
            switch fillNear(owner, amount: amounts[owner.id]!, free: free, seed: mine, selector: selector, coreSizes: coreSizes, notes: &out.notes) {
            case .success(let (cpus, count)):
                if count < amounts[owner.id]! {
                    out.notes.append("\(owner.id) gets \(count) CPUs instead of \(amounts[owner.id]!): the rest does not fit its NUMA constraints")
                }
                out.assignments[owner.id] = cpus
                taken.subtract(mine)
                taken.formUnion(cpus)
                kept[owner.id] = cpus
                i += 1
            case .failure(let diagnostic):
                // Spare CPUs elastic owners hold go first (lowest priority first)...
                if let id = counted.reversed().map(\.id).first(where: { $0 != owner.id && !(extra[$0] ?? CPUSet()).isEmpty }) {
                    taken.subtract(extra[id]!)
                    kept[id]!.subtract(extra[id]!)
                    if let a = out.assignments[id] { out.assignments[id] = a.subtracting(extra[id]!) }
                    extra[id] = CPUSet()
                    continue
                }
                // ...then what owners filled later hold: free it once and retry.
                let lower = fillOrder[(i + 1)...].map(\.id).filter { !(kept[$0] ?? CPUSet()).isEmpty }
                if !lower.isEmpty && !retried.contains(owner.id) {
                    retried.insert(owner.id)
                    for id in lower { taken.subtract(kept[id]!); kept[id] = CPUSet() }
                    continue
                }
                out.diagnostics.append(diagnostic)
                taken.subtract(mine)
                i += 1
            }
        }

        // 5. Growth: spare CPUs to owners with a `max`, highest priority first,
        // only from what nobody needs (never at another owner's expense).
        for owner in counted where targets[owner.id]! > amounts[owner.id]! {
            guard let mine = out.assignments[owner.id], mine.count >= amounts[owner.id]! else { continue }
            let free = universe.subtracting(taken).union(mine).subtracting(owner.forbidden)
            let seed = mine.union(owner.current.intersection(free))
            var count = targets[owner.id]!
            while count > mine.count {
                if let grown = grow(owner, to: count, free: free, seed: seed, keeping: mine, selector: selector) {
                    out.assignments[owner.id] = grown
                    taken.formUnion(grown)
                    break
                }
                count -= step
            }
            if let got = out.assignments[owner.id]?.count, got > owner.nominal {
                out.notes.append("\(owner.id) grows from \(owner.nominal) to \(got) CPUs (max \(owner.maximum)): spare CPUs")
            }
        }
        return out
    }

    /// The host keeps at least `host.cpus` CPUs, rounded up to whole cores.
    private func roundedHostCount(_ host: CPUOwner) -> Int {
        guard wholeCores, step > 1 else { return host.nominal }
        return (host.nominal + step - 1) / step * step
    }
}
