/// `plan(layout, snapshot) -> (Plan, [Diagnostic])`: placement, the diff
/// against what the host has, and the ordered steps between them. Pure:
/// the co-kernels' capabilities come in as values from their drivers.
public struct Planner {
    public let layout: HostLayout
    public let snapshot: HostSnapshot
    public let capabilities: [EnclaveDriverKind: EnclaveCapabilities]

    public init(layout: HostLayout, snapshot: HostSnapshot, capabilities: [EnclaveDriverKind: EnclaveCapabilities]) {
        self.layout = layout
        self.snapshot = snapshot
        self.capabilities = capabilities
    }

    public struct Result: Sendable {
        /// Nil when an error prevents planning (the diagnostics say why).
        public var plan: Plan?
        public var diagnostics: [Diagnostic]
    }

    public func plan() -> Result {
        var diagnostics = checkHost()
        guard !diagnostics.hasErrors else { return Result(plan: nil, diagnostics: diagnostics) }
        let index = TopologyIndex(snapshot.topology)
        var placer = LayoutPlacer(layout: layout, snapshot: snapshot, capabilities: capabilities)
        placer.index = index
        var placed = placer.place()
        var notes = placed.notes

        // Changes a running enclave cannot make live wait under `disruption: defer`:
        // keep those enclaves as they are and place everything else around them.
        let observed = ObservedAssignments(layout: layout, snapshot: snapshot)
        if layout.policy.disruption == .defer && !placed.diagnostics.hasErrors {
            var pinned: Set<String> = []
            for enclave in layout.enclaves {
                guard let desired = placed.placement.enclave(enclave.name) else { continue }
                let change = EnclaveChange.classify(
                    current: observed.enclaves[enclave.name], spec: enclave, desired: desired,
                    capabilities: capabilities[enclave.driver])
                if case .recreate(let reasons) = change {
                    pinned.insert(enclave.name)
                    notes.append(
                        "enclave '\(enclave.name)' is kept as it is: changing it needs a recreate (\(reasons.joined(separator: "; "))), and policy.disruption is defer; set policy.disruption: allow to recreate it")
                }
            }
            if !pinned.isEmpty {
                placer.pinnedEnclaves = pinned
                placed = placer.place()
                notes = placed.notes + notes
            }
        }
        if !placed.diagnostics.hasErrors { deferKubeletSlice(&placer, &placed, notes: &notes, observed: observed) }
        diagnostics += placed.diagnostics
        diagnostics += checkUnits()
        guard !diagnostics.hasErrors else { return Result(plan: nil, diagnostics: diagnostics.sortedByLocation()) }

        var builder = StepBuilder(
            layout: layout, snapshot: snapshot, capabilities: capabilities, placement: placed.placement, observed: observed, index: index)
        builder.build()
        kubeletRestart(&builder, notes: &notes)
        slurmNode(&builder, notes: &notes)
        notes += builder.notes
        diagnostics += builder.diagnostics
        guard !diagnostics.hasErrors else { return Result(plan: nil, diagnostics: diagnostics.sortedByLocation()) }
        switch StepOrdering.order(builder.drafts) {
        case .failure(let cycle):
            diagnostics.append(.error(
                "internal error: the plan's steps depend on each other in a cycle (\(cycle.keys.joined(separator: ", ")))",
                file: layout.file, at: nil, hints: ["please report this with the layout and snapshot"]))
            return Result(plan: nil, diagnostics: diagnostics)
        case .success(let steps):
            let plan = Plan(
                layout: layout.metadata.name, placement: placed.placement, steps: steps, notes: notes,
                snapshotFingerprint: snapshot.fingerprint, hostname: layout.metadata.hostname)
            return Result(plan: plan, diagnostics: diagnostics.sortedByLocation())
        }
    }

    /// Problems of the layout on this particular host, before placing.
    private func checkHost() -> [Diagnostic] {
        var out: [Diagnostic] = []
        if snapshot.topology.onlineCPUs.isEmpty {
            out.append(.error("the snapshot has no online CPUs", file: layout.file, at: nil))
        }
        for enclave in layout.enclaves where capabilities[enclave.driver] == nil {
            out.append(.error(
                "no driver capabilities known for '\(enclave.driver.rawValue)'", file: layout.file,
                at: enclave.marks["driver"] ?? enclave.marks.object))
        }
        for driver in EnclaveDriverKind.allCases {
            guard let limit = capabilities[driver]?.maximumInstances else { continue }
            let mine = layout.enclaves.filter { $0.driver == driver }
            if mine.count > limit, let extra = mine.dropFirst(limit).first {
                out.append(.error(
                    "\(driver.rawValue) allows at most \(limit) enclave\(limit == 1 ? "" : "s") per host; '\(extra.name)' is one too many",
                    file: layout.file, at: extra.marks["driver"] ?? extra.marks.object,
                    hints: ["merge them into one enclave"]))
            }
        }
        return out
    }

    /// Units a layout moves must exist where systemd was observed.
    private func checkUnits() -> [Diagnostic] {
        guard let systemd = snapshot.systemd else { return [] }
        var out: [Diagnostic] = []
        let positions = systemd.firstIndexByName()
        for service in layout.services {
            for (i, unit) in service.units.enumerated() where positions[unit].map({ systemd.units[$0].loadState }) == "not-found" {
                out.append(.error(
                    "unit '\(unit)' of service '\(service.name)' does not exist on this host",
                    file: layout.file, at: service.marks["units[\(i)]"] ?? service.marks["units"] ?? service.marks.object,
                    hints: ["install it first, or remove it from the layout"]))
            }
        }
        return out
    }
}
