extension CPUOwnership {
    /// Who will hold each CPU once a plan is applied: the placement's host,
    /// shared pool, exclusive services and enclaves; CPUs the placement does
    /// not touch keep what the snapshot says (offline, other co-kernels).
    public static func planned(_ plan: Plan, on snapshot: HostSnapshot) -> CPUOwnership {
        var ownership = observed(snapshot)
        let p = plan.placement
        var placed: [Int: Owner] = [:]
        for cpu in p.shared.cpus { placed[cpu] = .shared }
        for cpu in p.host.cpus { placed[cpu] = .host }
        for service in p.services where !service.value.shared && !p.enclaves.contains(where: { service.value.cpus.isSubset(of: $0.value.cpus) }) {
            for cpu in service.value.cpus { placed[cpu] = .service(service.name) }
        }
        for enclave in p.enclaves { for cpu in enclave.value.cpus { placed[cpu] = .enclave(enclave.name) } }
        for (cpu, owner) in placed { ownership.owners[cpu] = owner }
        // Layout enclaves' memory replaces what sosplan's enclaves hold now.
        let names = Set(p.enclaves.map(\.name))
        ownership.memory.removeAll { holding in
            if case .enclave(let name) = holding.owner { return names.contains(name) || snapshot.enclaves.contains { $0.name == name } }
            return false
        }
        for enclave in p.enclaves {
            ownership.memory += enclave.value.memory.map { MemoryHolding(node: $0.node, owner: .enclave(enclave.name), bytes: $0.bytes) }
        }
        ownership.memory.sort { ($0.node, $0.owner) < ($1.node, $1.owner) }
        ownership.title = "placement of \(plan.layout)"
        return ownership
    }
}
