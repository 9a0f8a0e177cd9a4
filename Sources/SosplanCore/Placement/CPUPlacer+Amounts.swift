extension CPUPlacer {
    /// Shrinks the lowest priorities first (down to their `min`) until the
    /// amounts fit `available`; then gives spare CPUs to owners with a `max`
    /// above their count, highest priority first. `owners` is sorted by
    /// priority, highest first.
    func settleAmounts(
        _ owners: [CPUOwner], available: Int, base amounts: inout [OwnerID: Int], targets: inout [OwnerID: Int],
        diagnostics: inout [Diagnostic], notes: inout [String]
    ) {
        var total = owners.reduce(0) { $0 + amounts[$1.id]! }
        if total > available {
            for owner in owners.reversed() where total > available {
                let before = amounts[owner.id]!
                var amount = before
                while amount > owner.minimum && total > available {
                    let cut = min(step, amount - owner.minimum)
                    amount -= cut
                    total -= cut
                }
                if amount < before {
                    amounts[owner.id] = amount
                    let text = "\(owner.id) shrinks from \(before) to \(amount) CPUs (priority \(owner.priority)): the host has \(max(available, 0)) CPUs for \(total + before - amount) requested"
                    notes.append(text)
                    diagnostics.append(.warning(
                        text, file: file, at: owner.mark,
                        hints: ["owners with a lower priority shrink first, down to their min"]))
                }
            }
        }
        targets = amounts
        guard total < available else { return }
        for owner in owners where owner.maximum > amounts[owner.id]! && total < available {
            var amount = amounts[owner.id]!
            while amount + step <= owner.maximum && total + step <= available {
                amount += step
                total += step
            }
            targets[owner.id] = amount
        }
    }

    /// A list checked before it is placed as written.
    func checkExplicit(_ owner: CPUOwner, _ list: CPUSet, taken: CPUSet) -> Diagnostic? {
        let present = index.coreOfCPU.keys.reduce(into: CPUSet()) { $0.insert($1) }
        if !list.isSubset(of: present) {
            return .error(
                "\(owner.id) lists CPUs \(list.subtracting(present)) that this host does not have (present: \(present))",
                file: file, at: owner.mark)
        }
        if !list.isSubset(of: universe) {
            return .error(
                "\(owner.id) lists CPUs \(list.subtracting(universe)) that are offline or held by something sosplan does not manage",
                file: file, at: owner.mark, hints: ["bring them online, or choose other CPUs"])
        }
        if !list.isDisjoint(with: taken) {
            return .error(
                "\(owner.id) lists CPUs \(list.intersection(taken)) that another explicit list already takes",
                file: file, at: owner.mark, hints: ["no CPU can have two owners"])
        }
        if !list.isDisjoint(with: owner.forbidden) {
            return .error(
                "\(owner.id) lists CPUs \(list.intersection(owner.forbidden)) that its co-kernel cannot take",
                file: file, at: owner.mark, hints: ["McKernel (IHK) cannot reserve CPU 0"])
        }
        if let numa = owner.numa {
            let outside = list.subtracting(cpus(ofNodes: numa))
            if !outside.isEmpty {
                let near = owner.near.map { $0.strict ? " (near \($0.label))" : "" } ?? ""
                return .error(
                    "\(owner.id) lists CPUs \(outside) that are not on NUMA node(s) \(CPUSet(numa))\(near)",
                    file: file, at: owner.mark, hints: ["node CPUs here: " + numa.map { "node \($0): \(index.nodeCPUs[$0] ?? CPUSet())" }.joined(separator: ", ")])
            }
        }
        if wholeCores && !owner.isPinned && index.splitCores(list, within: universe) > 0 {
            return .error(
                "\(owner.id) lists CPUs \(list) that split a core, but policy.smt is whole-cores",
                file: file, at: owner.mark,
                hints: ["list every hardware thread of each core, or set policy.smt: threads"])
        }
        return nil
    }

    func cpus(ofNodes nodes: [Int]) -> CPUSet {
        nodes.reduce(CPUSet()) { $0.union(index.nodeCPUs[$1] ?? CPUSet()) }
    }
}
