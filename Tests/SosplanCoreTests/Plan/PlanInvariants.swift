import SosplanTestSupport
@testable import SosplanCore

/// The properties every successful plan must have; returns violations.
enum PlanInvariants {
    static func check(_ result: Planner.Result, layout: HostLayout, snapshot: HostSnapshot) -> [String] {
        guard let plan = result.plan else { return [] }
        var bad: [String] = []
        let p = plan.placement
        let index = TopologyIndex(snapshot.topology)
        let held = snapshot.enclaves.reduce(CPUSet()) { $0.union($1.cpus) }
        let usable = snapshot.topology.onlineCPUs.union(held)

        // No CPU has two owners; every placed CPU is usable.
        var owners: [(String, CPUSet)] = [("host", p.host.cpus)]
        owners += p.enclaves.map { ("enclave \($0.name)", $0.value.cpus) }
        owners += layout.services.filter { $0.stack == .linux && $0.isExclusive }.map { ("service \($0.name)", p.service($0.name)!.cpus) }
        var seen = CPUSet()
        for (name, cpus) in owners {
            if !cpus.isDisjoint(with: seen) { bad.append("\(name) overlaps another owner on \(cpus.intersection(seen))") }
            if !cpus.isSubset(of: usable) { bad.append("\(name) has unusable CPUs \(cpus.subtracting(usable))") }
            seen.formUnion(cpus)
        }
        if !p.shared.cpus.isDisjoint(with: seen.subtracting(layout.host.confine ? CPUSet() : p.host.cpus)) && !(p.shared.cpus == p.host.cpus) {
            bad.append("shared pool \(p.shared.cpus) overlaps exclusive owners")
        }
        for enclave in layout.enclaves {
            var inside = CPUSet()
            for s in layout.services where s.stack == .enclave(enclave.name) {
                let cpus = p.service(s.name)!.cpus
                if !cpus.isSubset(of: p.enclave(enclave.name)!.cpus) { bad.append("service \(s.name) is outside its enclave") }
                if !cpus.isDisjoint(with: inside) { bad.append("services in \(enclave.name) overlap") }
                inside.formUnion(cpus)
            }
        }

        // Counts exact unless shrunk with a diagnostic; the host rounds up to whole cores.
        let shrunk = Set(result.diagnostics.filter { $0.severity == .warning }.map(\.message))
        func exact(_ label: String, _ amount: CPUAmount, _ got: Int) {
            if got == amount.nominal || (got <= amount.maximum && got > amount.nominal) { return }
            if got >= amount.minimum && shrunk.contains(where: { $0.hasPrefix(label + " shrinks") }) { return }
            if got >= amount.minimum && plan.notes.contains(where: { $0.hasPrefix(label) }) { return }
            bad.append("\(label) got \(got) CPUs for \(amount.nominal) (min \(amount.minimum), max \(amount.maximum)) without a diagnostic")
        }
        for e in layout.enclaves where !plan.notes.contains(where: { $0.contains("enclave '\(e.name)' is kept") }) {
            exact("enclave '\(e.name)'", e.cpus, p.enclave(e.name)!.cpus.count)
        }
        for s in layout.services where s.isExclusive { exact("service '\(s.name)'", s.cpus, p.service(s.name)!.cpus.count) }
        if p.host.cpus.count < layout.host.cpus.nominal { bad.append("host has fewer CPUs than asked") }

        // Single NUMA node and whole cores.
        if layout.policy.topology == .singleNUMANode {
            for (name, cpus) in owners where index.nodes(of: cpus).count > 1 { bad.append("\(name) spans nodes \(index.nodes(of: cpus))") }
        }
        if layout.policy.smt == .wholeCores {
            for core in index.cores {
                let holders = owners.filter { !$0.1.isDisjoint(with: core.threads) }.map(\.0)
                if holders.count > 1 { bad.append("core \(core.threads) is shared by \(holders)") }
            }
        }

        // Steps depend on earlier steps only.
        var earlier = Set<String>()
        for step in plan.steps {
            for d in step.dependsOn where !earlier.contains(d) { bad.append("\(step.id) depends on later step \(d)") }
            earlier.insert(step.id)
        }
        return bad
    }
}
