import SosplanCore

/// Builds a `HostSnapshot` from the probes: topology first, then systemd and
/// the enclaves, then attributes offline CPUs to the enclaves holding them
/// (an offline CPU is never assumed free just because it is offline).
public struct HostObserver {
    public var topology: any TopologyProbe
    public var systemd: (any SystemdStateSource)?
    /// When false, a systemd that cannot be reached is a warning, not an error
    /// (the default system bus may simply not exist, as on these VMs).
    public var systemdRequired: Bool
    public var enclaves: [any EnclaveStateSource]
    /// podman, for the containers of sosplan's container units.
    public var containers: (any ContainerStateSource)?
    /// Units named in a layout, observed even if sosplan does not manage them.
    public var unitNames: [String]
    /// Notes from setting the sources up (e.g. a co-kernel half installed).
    public var notes: [String] = []
    /// The kubelet's files (nil: not looked for); its unit is observed too when it is there.
    public var kubelet: KubeletProbe?
    /// IRQs, workqueues, idle and frequency (nil: the snapshot has no `kernel`).
    public var kernel: (any KernelStateSource)?
    /// sosplan's slurm.conf drop-in for this node (nil: not a Slurm node).
    public var slurm: SlurmNodeFile?

    public init(
        topology: any TopologyProbe, systemd: (any SystemdStateSource)? = nil, systemdRequired: Bool = false,
        enclaves: [any EnclaveStateSource] = [], unitNames: [String] = []
    ) {
        self.topology = topology
        self.systemd = systemd
        self.systemdRequired = systemdRequired
        self.enclaves = enclaves
        self.unitNames = unitNames
    }

    public func observe() throws -> HostSnapshot {
        let kubeletSeen = kubelet?.observe()
        var names = unitNames
        if let unit = kubeletSeen?.observation?.unit, !names.contains(unit) { names.append(unit) }
        // systemd answers on its own thread while this one reads sysfs and
        // the co-kernel tools: most of its time is waiting for replies.
        let systemdWork = systemd.map { source in
            BackgroundWork { Result { try source.observeSystemd(unitNames: names) } }
        }
        let local: LocalObservation
        do { local = try observeLocal() } catch {
            _ = systemdWork?.wait()
            throw error
        }
        let topo = local.topology
        var warnings = topo.warnings + notes
        warnings += kubeletSeen?.warnings ?? []
        var topology = topo.topology
        HostObserver.attributeOwners(&topology, instances: local.instances, pools: local.pools)
        let kernelObservation = kernel?.observeKernel(onlineCPUs: topology.onlineCPUs)
        var systemdState: SystemdState?
        if let systemdWork {
            switch systemdWork.wait() {
            case .success(let state): systemdState = state
            case .failure(let error):
                if systemdRequired { throw error }
                warnings.append("systemd not observed: \(error)")
            }
        }
        if var state = systemdState {
            warnings += HostObserver.observeContainers(&state, source: containers)
            systemdState = state
        }
        warnings += local.enclaveWarnings
        warnings += kernelObservation?.warnings ?? []
        return HostSnapshot(
            hostname: topo.hostname, topology: topology, systemd: systemdState,
            enclaves: local.instances.sorted { ($0.driver.rawValue, $0.instance) < ($1.driver.rawValue, $1.instance) },
            enclavePools: local.pools, kubelet: kubeletSeen?.observation, kernel: kernelObservation?.state,
            slurm: slurm?.observe(), warnings: warnings)
    }

    /// What this thread reads while systemd answers on the other.
    private struct LocalObservation {
        var topology: TopologyObservation
        var instances: [EnclaveInstance] = []
        var pools: [EnclavePool] = []
        var enclaveWarnings: [String] = []
    }

    /// The sysfs probe and the co-kernel tools.
    private func observeLocal() throws -> LocalObservation {
        var local = LocalObservation(topology: try topology.probeTopology())
        for source in enclaves {
            let o = try source.observeEnclaves()
            local.instances += o.instances
            if let pool = o.pool, !(pool.cpus.isEmpty && pool.memory.isEmpty) { local.pools.append(pool) }
            local.enclaveWarnings += o.warnings
        }
        return local
    }

    /// Fills `container` of every unit that runs one of sosplan's containers
    /// (its `ExecStart` reads back as one); returns warnings.
    public static func observeContainers(_ state: inout SystemdState, source: (any ContainerStateSource)?) -> [String] {
        var warnings: [String] = []
        for i in state.units.indices {
            guard let run = state.units[i].execStart.flatMap(ContainerRun.parse)?.run else { continue }
            guard let source else {
                state.units[i].container = ContainerState(name: run.name, state: "unknown")
                continue
            }
            do {
                state.units[i].container = try source.containerState(run.name)
            } catch {
                state.units[i].container = ContainerState(name: run.name, state: "unknown")
                warnings.append("container \(run.name) not observed: \(error)")
            }
        }
        return warnings
    }

    /// Marks each offline CPU an enclave (or a co-kernel's pool) holds.
    public static func attributeOwners(_ topology: inout Topology, instances: [EnclaveInstance], pools: [EnclavePool]) {
        var owners: [Int: String] = [:]
        for pool in pools { for cpu in pool.cpus { owners[cpu] = "\(pool.driver.rawValue):pool" } }
        for inst in instances { for cpu in inst.cpus { owners[cpu] = inst.ownerLabel } }
        for i in topology.cpus.indices {
            topology.cpus[i].owner = topology.cpus[i].online ? nil : owners[topology.cpus[i].id]
        }
    }
}
