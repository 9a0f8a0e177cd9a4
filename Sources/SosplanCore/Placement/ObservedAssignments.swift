/// What the snapshot says each layout owner holds now, and what sosplan
/// must leave alone: the starting point for minimal-churn placement.
struct ObservedAssignments {
    var hostCPUs = CPUSet()
    var serviceCPUs: [String: CPUSet] = [:]
    var enclaves: [String: EnclaveInstance] = [:]
    /// Instances sosplan created (named) that the layout no longer has.
    var orphanedEnclaves: [EnclaveInstance] = []
    /// Instances sosplan did not create: their CPUs are never touched.
    var foreignEnclaves: [EnclaveInstance] = []
    /// A co-kernel's reserved-but-unassigned CPUs, per driver.
    var poolCPUs: [EnclaveDriverKind: CPUSet] = [:]
    /// `spec.slurm.lwkPool`'s CPUs: kept from every Linux owner.
    var lwkPoolCPUs = CPUSet()

    init(layout: HostLayout, snapshot: HostSnapshot) {
        let names = Set(layout.enclaves.map(\.name))
        lwkPoolCPUs = layout.lwkPool?.cpus ?? CPUSet()
        for inst in snapshot.enclaves {
            if let name = inst.name, LWKJobRequest.isJobEnclaveName(name), !names.contains(name) {
                // A job's enclave (sosplan job prolog): the epilog's to destroy, never a plan's.
                foreignEnclaves.append(inst)
            } else if let name = inst.name, names.contains(name), enclaves[name] == nil {
                enclaves[name] = inst
            } else if inst.name != nil {
                orphanedEnclaves.append(inst)
            } else {
                foreignEnclaves.append(inst)
            }
        }
        for pool in snapshot.enclavePools { poolCPUs[pool.driver, default: CPUSet()].formUnion(pool.cpus) }
        guard let systemd = snapshot.systemd else { return }
        let positions = systemd.firstIndexByName()
        for service in layout.services where service.stack == .linux && service.isExclusive {
            if let i = positions[service.slice], let cpus = systemd.units[i].allowedCPUs, !cpus.isEmpty { serviceCPUs[service.name] = cpus }
        }
        if let cpus = systemd.unit("system.slice")?.allowedCPUs, !cpus.isEmpty { hostCPUs = cpus }
    }

    /// Every co-kernel's reserved-but-unassigned CPUs together.
    var allPoolCPUs: CPUSet { poolCPUs.values.reduce(CPUSet()) { $0.union($1) } }

    /// CPUs placement may assign: online CPUs, plus CPUs held by enclaves
    /// sosplan manages (they come back or move) and co-kernel pools.
    func universe(_ topology: Topology) -> CPUSet {
        var u = topology.onlineCPUs
        for inst in enclaves.values { u.formUnion(inst.cpus) }
        for inst in orphanedEnclaves { u.formUnion(inst.cpus) }
        for cpus in poolCPUs.values { u.formUnion(cpus) }
        for inst in foreignEnclaves { u.subtract(inst.cpus) }
        u.subtract(lwkPoolCPUs)
        return u.intersection(topology.presentCPUs)
    }
}
