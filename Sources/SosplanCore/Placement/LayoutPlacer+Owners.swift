extension LayoutPlacer {
    /// The owners that split the host's CPUs at the top level.
    func topLevelOwners(observed: ObservedAssignments, universe: CPUSet) -> [CPUOwner] {
        var owners: [CPUOwner] = []
        var host = CPUOwner(
            id: .host, priority: Int.max, nominal: layout.host.cpus.nominal, minimum: layout.host.cpus.nominal,
            maximum: layout.host.cpus.nominal, order: -1, mark: layout.host.marks["cpus"] ?? layout.host.marks.object)
        host.explicit = layout.host.cpus.explicitCPUs
        host.numa = layout.host.cpus.numaNodes
        host.current = observed.hostCPUs
        if host.current.isEmpty, let first = universe.first {
            // Like the kubelet's reservation: Linux keeps the lowest-numbered core.
            host.current = TopologyIndex(snapshot.topology).core(of: first)?.threads ?? CPUSet([first])
        }
        host.roundsUpToWholeCores = true
        owners.append(host)

        for (i, enclave) in layout.enclaves.enumerated() {
            var owner = CPUOwner(
                id: .enclave(enclave.name), priority: enclave.priority, nominal: enclave.cpus.nominal,
                minimum: enclave.cpus.minimum, maximum: enclave.cpus.maximum, order: i,
                mark: enclave.marks["cpus"] ?? enclave.marks.object)
            owner.explicit = enclave.cpus.explicitCPUs
            owner.numa = enclave.cpus.numaNodes
            owner.current = observed.enclaves[enclave.name]?.cpus ?? CPUSet()
            owner.forbidden = capabilities[enclave.driver]?.forbiddenCPUs ?? CPUSet()
            // Another co-kernel's reserved pool is not ours to take.
            for (driver, cpus) in observed.poolCPUs where driver != enclave.driver { owner.forbidden.formUnion(cpus) }
            if pinnedEnclaves.contains(enclave.name) {
                owner.explicit = owner.current
                owner.numa = nil
                owner.isPinned = true
            }
            owners.append(owner)
        }
        let poolCPUs = observed.poolCPUs.values.reduce(CPUSet()) { $0.union($1) }
        for (i, service) in layout.services.enumerated() where service.stack == .linux && service.isExclusive {
            var owner = serviceOwner(service, order: layout.enclaves.count + i, current: observed.serviceCPUs[service.name] ?? CPUSet())
            owner.forbidden = poolCPUs
            owners.append(owner)
        }
        return owners
    }

    func serviceOwner(_ service: ServiceSpec, order: Int, current: CPUSet) -> CPUOwner {
        var owner = CPUOwner(
            id: .service(service.name), priority: service.priority, nominal: service.cpus.nominal,
            minimum: service.cpus.minimum, maximum: service.cpus.maximum, order: order,
            mark: service.marks["cpus"] ?? service.marks.object)
        owner.explicit = service.cpus.explicitCPUs
        owner.numa = service.cpus.numaNodes
        owner.current = current
        return owner
    }
}
