/// Computes where every owner of a layout goes on a host: CPUs for the host,
/// enclaves, exclusive services and the services inside each enclave; the
/// shared pool; enclave memory per NUMA node; hugepage pools. Pure and
/// deterministic: the same layout and snapshot give the same placement.
public struct LayoutPlacer {
    public let layout: HostLayout
    public let snapshot: HostSnapshot
    public let capabilities: [EnclaveDriverKind: EnclaveCapabilities]
    /// Enclaves kept exactly as they are (a change they need was deferred).
    public var pinnedEnclaves: Set<String> = []
    /// Services whose slice keeps the CPUs it has (a change was deferred:
    /// the kubelet's, under a static CPU manager).
    public var pinnedServices: Set<String> = []
    /// The snapshot's topology index when the caller has one (the planner
    /// builds it once for placement and steps).
    var index: TopologyIndex?

    public init(
        layout: HostLayout, snapshot: HostSnapshot, capabilities: [EnclaveDriverKind: EnclaveCapabilities],
        pinnedEnclaves: Set<String> = []
    ) {
        self.layout = layout
        self.snapshot = snapshot
        self.capabilities = capabilities
        self.pinnedEnclaves = pinnedEnclaves
    }

    public struct Result: Sendable {
        public var placement: Placement
        public var diagnostics: [Diagnostic]
        public var notes: [String]
    }

    public func place() -> Result {
        let index = self.index ?? TopologyIndex(snapshot.topology)
        let observed = ObservedAssignments(layout: layout, snapshot: snapshot)
        let universe = observed.universe(snapshot.topology)
        var diagnostics: [Diagnostic] = []
        var notes: [String] = []
        if let pool = layout.lwkPool, !pool.cpus.isSubset(of: snapshot.topology.presentCPUs) {
            diagnostics.append(.error(
                "spec.slurm.lwkPool.cpus: CPUs \(pool.cpus.subtracting(snapshot.topology.presentCPUs)) are not present on this host",
                file: layout.file, at: pool.marks["cpus"] ?? pool.marks.object,
                hints: ["this host's CPUs: \(snapshot.topology.presentCPUs)"]))
        }

        // Top level: host, enclaves, exclusive Linux services, each near its devices.
        let near = nearRequests(observed: observed, diagnostics: &diagnostics, notes: &notes)
        let owners = topLevelOwners(observed: observed, universe: universe, index: index)
            .map { applying(near[$0.id], to: $0, diagnostics: &diagnostics) }
        let needsSharedPool = layout.services.contains { $0.cpus.isShared || $0.stack != .linux }
        let floor = needsSharedPool && layout.host.confine ? (layout.policy.smt == .wholeCores ? index.maxThreadsPerCore : 1) : 0
        let placer = CPUPlacer(index: index, universe: universe, policy: layout.policy, file: layout.file, sharedFloor: floor)
        let top = placer.place(owners)
        diagnostics += top.diagnostics
        notes += top.notes

        let hostCPUs = top.assignments[.host] ?? CPUSet()
        var assigned = hostCPUs
        var enclaveCPUs: [String: CPUSet] = [:]
        for enclave in layout.enclaves {
            let cpus = top.assignments[.enclave(enclave.name)] ?? CPUSet()
            enclaveCPUs[enclave.name] = cpus
            assigned.formUnion(cpus)
        }
        var serviceCPUs: [String: CPUSet] = [:]
        for service in layout.services where service.stack == .linux && service.isExclusive {
            let cpus = top.assignments[.service(service.name)] ?? CPUSet()
            serviceCPUs[service.name] = cpus
            assigned.formUnion(cpus)
        }
        // A co-kernel's reserved pool is not Linux's: what no enclave takes stays out of the shared pool.
        var shared = universe.subtracting(assigned).subtracting(observed.allPoolCPUs)
        for (driver, cpus) in observed.poolCPUs.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where !cpus.isSubset(of: assigned) {
            notes.append("\(driver.rawValue) holds CPUs \(cpus.subtracting(assigned)) reserved for no enclave; they are left alone (release them with the co-kernel's tools to give them back to Linux)")
        }
        if !layout.host.confine { shared.formUnion(hostCPUs) }
        // A Linux service shrunk to nothing (`min: 0`, its CPUs lost) runs on the
        // shared pool; an empty pool would leave its slice with no CPUs at all.
        let shrunkToNothing = layout.services.contains {
            $0.stack == .linux && $0.isExclusive && (serviceCPUs[$0.name]?.isEmpty ?? true)
        }
        if shared.isEmpty && (needsSharedPool || shrunkToNothing) && !hostCPUs.isEmpty {
            shared = hostCPUs
            notes.append("the shared pool is empty; shared services and enclave launchers run on the host CPUs \(hostCPUs)")
        }

        // Services inside each enclave share out the enclave's CPUs.
        for enclave in layout.enclaves {
            let inside = layout.services.filter { $0.stack == .enclave(enclave.name) }
            guard !inside.isEmpty, let cpus = enclaveCPUs[enclave.name], !cpus.isEmpty else { continue }
            let exclusive = inside.filter(\.isExclusive)
            let sub = CPUPlacer(index: index, universe: cpus, policy: layout.policy, file: layout.file, sharedFloor: 0)
            let result = sub.place(exclusive.enumerated().map {
                applying(near[.service($0.element.name)], to: serviceOwner($0.element, order: $0.offset, current: CPUSet()), diagnostics: &diagnostics)
            })
            diagnostics += result.diagnostics
            notes += result.notes
            var rest = cpus
            for service in exclusive {
                let mine = result.assignments[.service(service.name)] ?? CPUSet()
                serviceCPUs[service.name] = mine
                rest.subtract(mine)
            }
            // `shared` inside an enclave: the enclave CPUs no other service owns.
            for service in inside where !service.isExclusive {
                serviceCPUs[service.name] = rest.isEmpty ? cpus : rest
            }
        }

        let memory = EnclaveMemoryPlacer(
            layout: layout, snapshot: snapshot, index: index, capabilities: capabilities, observed: observed,
            pinned: pinnedEnclaves
        ).place(enclaveCPUs: enclaveCPUs)
        diagnostics += memory.diagnostics
        notes += tierNotes(memory.chunks)
        let hugepages = HugepagePlacer(layout: layout, snapshot: snapshot, enclaveMemory: memory.chunks).place()
        diagnostics += hugepages.diagnostics

        // Worked out once: every shared service has the same CPUs.
        let sharedNodes = index.nodes(of: shared)
        let memoryPlacer = ServiceMemoryPlacer(layout: layout, tiers: MemoryTierNodes(topology: snapshot.topology, index: index))
        let placement = Placement(
            host: HostPlacement(cpus: hostCPUs, memoryNodes: index.nodes(of: hostCPUs)),
            shared: SharedPlacement(cpus: shared),
            services: layout.services.map { service in
                // A Linux service shrunk to nothing (`min: 0`) falls back to the shared pool.
                let onShared = service.stack == .linux && (service.cpus.isShared || (serviceCPUs[service.name]?.isEmpty ?? true))
                let cpus = onShared ? shared : (serviceCPUs[service.name] ?? CPUSet())
                let memory = memoryPlacer.place(
                    service, cpuNodes: onShared ? sharedNodes : index.nodes(of: cpus), diagnostics: &diagnostics, notes: &notes)
                return NamedPlacement(service.name, ServicePlacement(
                    cpus: cpus, memoryNodes: memory.allowed, shared: onShared,
                    near: LayoutPlacer.nearPlacements(near[.service(service.name)], references: service.near, cpus: cpus, index: index),
                    memoryTier: memory.tier, memoryPolicy: memory.policy, policyNodes: memory.policyNodes))
            },
            enclaves: layout.enclaves.map {
                let cpus = enclaveCPUs[$0.name] ?? CPUSet()
                return NamedPlacement($0.name, EnclavePlacement(
                    cpus: cpus, memory: memory.chunks[$0.name] ?? [],
                    near: LayoutPlacer.nearPlacements(near[.enclave($0.name)], references: $0.near, cpus: cpus, index: index)))
            },
            hugepages: hugepages.pools)
        return Result(placement: placement, diagnostics: diagnostics.sortedByLocation(), notes: notes)
    }
}
