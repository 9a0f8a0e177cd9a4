/// Diffs the desired state (layout + placement) against the snapshot and
/// produces step drafts with what each releases and acquires.
struct StepBuilder {
    let layout: HostLayout
    let snapshot: HostSnapshot
    let capabilities: [EnclaveDriverKind: EnclaveCapabilities]
    let placement: Placement
    let observed: ObservedAssignments
    var drafts: [StepDraft] = []

    /// CPUs that end up in an enclave / are in an enclave (or pool) now.
    let enclaveBoundCPUs: CPUSet
    let enclaveHeldCPUs: CPUSet
    /// NUMA nodes of the shared pool (where launchers and shared services run).
    let sharedPoolNodes: CPUSet
    /// The host's online CPUs, worked out once (every service without CPUs
    /// of its own starts from them).
    let onlineCPUs: CPUSet
    /// Keys of the step that creates or grows each enclave (units follow it).
    var enclaveReadyStep: [String: String] = [:]
    /// Enclaves this plan boots (new or recreated): their services' launchers start again.
    var enclavesBooted: Set<String> = []
    /// Keys of the step that destroys each enclave, by layout name and by
    /// driver: the launchers running in it stop before it goes (a running
    /// yod keeps its LWK CPUs reserved and `lwkctl -d` refuses; mcexec holds
    /// /dev/mcosN and `ihkconfig destroy` returns EBUSY), and so does every
    /// `exec:` unit the layout dropped (any of them may be a launcher).
    var enclaveTeardownStep: [String: String] = [:]
    var enclaveTeardownsByDriver: [EnclaveDriverKind: [String]] = [:]
    /// What the plan says besides its steps, and problems of the layout on
    /// this host found while building them (kernel and power settings).
    var notes: [String] = []
    var diagnostics: [Diagnostic] = []
    /// Power problems already reported (one diagnostic per owner and kind, not per CPU).
    var reportedPowerProblems: Set<String> = []
    /// Positions of observed units and placed services by name (the first
    /// of each, as `SystemdState.unit(_:)` and `Placement.service(_:)` find
    /// them): every service looks up its own, so linear searches would make
    /// a plan O(services²).
    private let unitPositions: [String: Int]
    private let placedPositions: [String: Int]

    init(
        layout: HostLayout, snapshot: HostSnapshot, capabilities: [EnclaveDriverKind: EnclaveCapabilities],
        placement: Placement, observed: ObservedAssignments, index: TopologyIndex? = nil
    ) {
        self.layout = layout
        self.snapshot = snapshot
        self.capabilities = capabilities
        self.placement = placement
        self.observed = observed
        enclaveBoundCPUs = placement.enclaves.reduce(CPUSet()) { $0.union($1.value.cpus) }
        var held = CPUSet()
        for inst in snapshot.enclaves { held.formUnion(inst.cpus) }
        for pool in snapshot.enclavePools { held.formUnion(pool.cpus) }
        enclaveHeldCPUs = held
        sharedPoolNodes = (index ?? TopologyIndex(snapshot.topology)).nodes(of: placement.shared.cpus)
        onlineCPUs = snapshot.topology.onlineCPUs
        unitPositions = snapshot.systemd?.firstIndexByName() ?? [:]
        var placed: [String: Int] = [:]
        for (i, s) in placement.services.enumerated() where placed[s.name] == nil { placed[s.name] = i }
        placedPositions = placed
    }

    /// `snapshot.systemd?.unit(name)`, by index.
    func observedUnit(_ name: String) -> SystemdUnit? { unitPositions[name].map { snapshot.systemd!.units[$0] } }

    /// `placement.service(name)`, by index.
    func placed(_ name: String) -> ServicePlacement? { placedPositions[name].map { placement.services[$0].value } }

    mutating func build() {
        buildEnclaves()
        buildHugepages()
        buildHostConfinement()
        buildServices()
        buildOrphanedUnits()
        buildKernel()
    }

    mutating func add(_ d: StepDraft) { drafts.append(d) }

    /// Makes the draft `later` wait for the draft `first`.
    mutating func order(_ first: String, before later: String) {
        if let i = drafts.firstIndex(where: { $0.key == later }), !drafts[i].after_.contains(first) { drafts[i].after_.append(first) }
    }

    /// A Linux owner's CPU change from `old` to `new` (empty `old` means it
    /// may run anywhere). If it both gives CPUs to enclaves and takes CPUs
    /// back from them, it becomes two steps so neither hand-over waits on
    /// the other; returns the keys made.
    @discardableResult
    mutating func linuxChange(
        key: String, action: StepAction, target: StepTarget, old: CPUSet?, new: CPUSet, before: PropertyMap,
        after: PropertyMap, reason: String?, extraAfter: [String] = []
    ) -> [String] {
        let oldCPUs = (old?.isEmpty ?? true) ? onlineCPUs : old!
        let removed = oldCPUs.subtracting(new)
        let added = new.subtracting(oldCPUs)
        let givesToEnclaves = !removed.isDisjoint(with: enclaveBoundCPUs)
        let takesFromEnclaves = !added.isDisjoint(with: enclaveHeldCPUs)
        if givesToEnclaves && takesFromEnclaves, let oldList = old, !oldList.isEmpty {
            var release = StepDraft(key + "/release", action, target: target, disruption: .live, phase: .shrinkLinux, side: .linux,
                reason: "first release the CPUs enclaves take")
            release.before = ["AllowedCPUs": .string(oldList.description)]
            release.after = ["AllowedCPUs": .string(oldList.subtracting(removed).description)]
            release.releasesCPUs = removed
            release.after_ = extraAfter
            add(release)
            var acquire = StepDraft(key, action, target: target, disruption: .live, phase: .growLinux, side: .linux, reason: reason)
            acquire.before = before
            acquire.after = after
            acquire.before["AllowedCPUs"] = .string(oldList.subtracting(removed).description)
            acquire.acquiresCPUs = added
            acquire.after_ = [key + "/release"]
            add(acquire)
            return [key + "/release", key]
        }
        var d = StepDraft(key, action, target: target, disruption: .live,
            phase: givesToEnclaves ? .shrinkLinux : .growLinux, side: .linux, reason: reason)
        d.before = before
        d.after = after
        d.releasesCPUs = removed
        d.acquiresCPUs = added
        d.after_ = extraAfter
        add(d)
        return [key]
    }

    /// A JSON form of memory chunks for step properties.
    static func memoryValue(_ chunks: [MemoryChunk]) -> JSONValue {
        .array(chunks.map { .object([("node", .int($0.node)), ("bytes", .uint($0.bytes))]) })
    }

    static func memoryChunks(_ value: JSONValue?) -> [MemoryChunk] {
        (value?.arrayValue ?? []).compactMap { v in
            guard let node = v["node"]?.intValue, let bytes = v["bytes"]?.uint64Value else { return nil }
            return MemoryChunk(node: node, bytes: bytes)
        }
    }
}
