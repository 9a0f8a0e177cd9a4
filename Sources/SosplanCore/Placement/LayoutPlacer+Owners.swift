extension LayoutPlacer {
    /// The owners that split the host's CPUs at the top level.
    func topLevelOwners(observed: ObservedAssignments, universe: CPUSet, index: TopologyIndex) -> [CPUOwner] {
        var owners: [CPUOwner] = []
        var host = CPUOwner(
            id: .host, priority: Int.max, nominal: layout.host.cpus.nominal, minimum: layout.host.cpus.nominal,
            maximum: layout.host.cpus.nominal, order: -1, mark: layout.host.marks["cpus"] ?? layout.host.marks.object)
        host.explicit = layout.host.cpus.explicitCPUs
        host.numa = layout.host.cpus.numaNodes
        host.current = observed.hostCPUs
        if host.current.isEmpty, let first = universe.first {
            // Like the kubelet's reservation: Linux keeps the lowest-numbered core.
            host.current = index.core(of: first)?.threads ?? CPUSet([first])
        }
        host.roundsUpToWholeCores = true
        let poolCPUs = observed.allPoolCPUs
        host.forbidden = poolCPUs
        owners.append(host)

        for (i, enclave) in layout.enclaves.enumerated() {
            var owner = CPUOwner.requesting(
                enclave.cpus, id: .enclave(enclave.name), priority: enclave.priority, order: i, marks: enclave.marks,
                // A new enclave starts from its co-kernel's reserved pool, if it has one.
                current: observed.enclaves[enclave.name]?.cpus ?? observed.poolCPUs[enclave.driver] ?? CPUSet())
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
        for (i, service) in layout.services.enumerated() where service.stack == .linux && service.isExclusive {
            var owner = serviceOwner(service, order: layout.enclaves.count + i, current: observed.serviceCPUs[service.name] ?? CPUSet())
            owner.forbidden = poolCPUs
            if pinnedServices.contains(service.name), !owner.current.isEmpty {
                owner.explicit = owner.current
                owner.numa = nil
                owner.isPinned = true
            }
            owners.append(owner)
        }
        return owners
    }

    func serviceOwner(_ service: ServiceSpec, order: Int, current: CPUSet) -> CPUOwner {
        CPUOwner.requesting(
            service.cpus, id: .service(service.name), priority: service.priority, order: order, marks: service.marks,
            current: current)
    }
}

extension CPUOwner {
    /// An owner asking for `amount` as the layout wrote it.
    static func requesting(
        _ amount: CPUAmount, id: OwnerID, priority: Int, order: Int, marks: SourceMarks, current: CPUSet
    ) -> CPUOwner {
        var owner = CPUOwner(
            id: id, priority: priority, nominal: amount.nominal, minimum: amount.minimum, maximum: amount.maximum,
            order: order, mark: marks["cpus"] ?? marks.object)
        owner.explicit = amount.explicitCPUs
        owner.numa = amount.numaNodes
        owner.current = current
        return owner
    }
}
