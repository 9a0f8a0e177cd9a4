extension StepBuilder {
    static let hostUnits = ["system.slice", "user.slice", "init.scope"]

    /// `host.confine`: system.slice, user.slice and init.scope on the host CPUs.
    mutating func buildHostConfinement() {
        let systemd = snapshot.systemd
        let current = observedUnit("system.slice")?.allowedCPUs
        let host = placement.host.cpus
        if layout.host.confine {
            let same = systemd != nil && StepBuilder.hostUnits.allSatisfy { observedUnit($0)?.allowedCPUs == host }
            guard !same else { return }
            linuxChange(
                key: "host", action: .hostConfine, target: .host, old: current, new: host,
                before: ["AllowedCPUs": .string((current ?? CPUSet()).description)],
                after: ["AllowedCPUs": .string(host.description)],
                reason: "confine system.slice, user.slice and init.scope to the host CPUs")
        } else if systemd != nil, StepBuilder.hostUnits.contains(where: { observedUnit($0).map { $0.managed && !($0.allowedCPUs ?? CPUSet()).isEmpty } ?? false }) {
            var d = StepDraft("host", .hostConfine, target: .host, disruption: .live, phase: .growLinux, side: .linux,
                reason: "host.confine is false: remove the confinement")
            d.before = ["AllowedCPUs": .string((current ?? CPUSet()).description)]
            d.after = ["AllowedCPUs": .string("")]
            add(d)
        }
    }

    /// Slices, placed units and `exec:` units of every service.
    mutating func buildServices() {
        for service in layout.services {
            guard let placed = placed(service.name) else { continue }
            // Enclave services' launchers and shared services run on Linux in the shared pool.
            let linuxCPUs = service.stack == .linux ? placed.cpus : placement.shared.cpus
            let nodes = service.stack == .linux ? placed.memoryNodes : service.memory.allowedNodes(local: sharedPoolNodes)
            let desired = UnitProperties.properties(UnitProperties.desired(service, cpus: linuxCPUs, memoryNodes: nodes))
            var sliceKeys: [String] = []
            if let unit = observedUnit(service.slice), unit.loadState != "not-found" {
                let (before, changed) = UnitProperties.changes(
                    from: UnitProperties.properties(ResourceControl(observed: unit)), to: desired)
                var after = changed
                if !after.isEmpty {
                    // Another manager's slice (often transient, as kubelet's are) gets a drop-in, never a unit file.
                    if service.existingSlice { after["ExistingSlice"] = .bool(true) }
                    sliceKeys = linuxChange(
                        key: "slice:\(service.slice)", action: .sliceUpdate, target: .unit(service.slice), old: unit.allowedCPUs,
                        new: linuxCPUs, before: before, after: after,
                        reason: service.existingSlice ? "confine a slice another manager owns (a drop-in)" : nil)
                }
            } else {
                var d = StepDraft("slice:\(service.slice)", .sliceCreate, target: .unit(service.slice), disruption: .live,
                    phase: .growLinux, side: .linux, reason: service.existingSlice ? "confine a slice another manager owns (a drop-in)" : nil)
                d.after = desired
                if service.existingSlice { d.after["ExistingSlice"] = .bool(true) }
                d.acquiresCPUs = linuxCPUs
                add(d)
                sliceKeys = [d.key]
            }
            for unit in service.units {
                let seen = observedUnit(unit)
                guard seen?.slice != service.slice else { continue }
                var d = StepDraft("unit:\(unit)", .unitPlace, target: .unit(unit),
                    disruption: seen?.activeState == "inactive" ? .live : .restart, phase: .placeUnits, side: .other,
                    reason: "move into \(service.slice)")
                d.before = ["Slice": seen?.slice.map(JSONValue.string) ?? .null]
                d.after = ["Slice": .string(service.slice)]
                d.after_ = sliceKeys
                add(d)
            }
            buildExecUnit(service, sliceKeys: sliceKeys)
            buildContainerUnit(service, sliceKeys: sliceKeys)
        }
    }

    /// `sosplan-<name>.service` for `exec:` (on Linux, or through the
    /// enclave's launcher, which the apply step resolves once the enclave runs).
    private mutating func buildExecUnit(_ service: ServiceSpec, sliceKeys: [String]) {
        guard let exec = service.exec else { return }
        var desired = PropertyMap()
        desired["Slice"] = .string(service.slice)
        desired["ExecStart"] = .array(exec.map(JSONValue.string))
        var after = sliceKeys
        if case .enclave(let name) = service.stack, let enclave = layout.enclave(named: name) {
            desired["Launcher"] = .string(enclave.driver.rawValue)
            desired["Enclave"] = .string(name)
            desired["EnclaveCPUs"] = .string((placed(service.name)?.cpus ?? CPUSet()).description)
            if let ready = enclaveReadyStep[name] { after.append(ready) }
        }
        // memory.policy: NUMAPolicy=/NUMAMask=, which systemd applies when it starts the service.
        let policy = numaPolicy(of: service)
        for (key, value) in policy?.planProperties.entries ?? [] { desired[key] = value }
        let name = service.execUnitName
        if let unit = observedUnit(name), unit.loadState != "not-found",
            let enclave = service.stack.enclaveName, let teardown = enclaveTeardownStep[enclave]
        {
            // Its enclave is recreated: the launcher stops before the enclave
            // goes (the old job holds it) and starts again once it is back.
            var stop = StepDraft("unit:\(name)/stop", .unitRemove, target: .unit(name), disruption: .restart, phase: .releaseUnits,
                side: .other, reason: "enclave '\(enclave)' is recreated: stop the service running in it first")
            stop.before = ["Slice": unit.slice.map(JSONValue.string) ?? .null, "ExecStart": .array((unit.execStart ?? []).map(JSONValue.string))]
            add(stop)
            order(stop.key, before: teardown)
            var d = StepDraft("unit:\(name)", .unitCreate, target: .unit(name), disruption: .restart, phase: .placeUnits, side: .other,
                reason: "start it again in the new enclave '\(enclave)'")
            d.after = desired
            d.after_ = after + [stop.key]
            add(d)
            return
        }
        if let unit = observedUnit(name), unit.loadState != "not-found" {
            // The launcher's own arguments (OS index, CPUs) are resolved at apply time:
            // compare the application's vector as the tail of ExecStart. A
            // launcher starts again when its enclave is booted anew; a live
            // grow leaves the running job alone (a Pisces job cannot be
            // stopped, so relaunching would run it twice).
            let running = unit.execStart ?? []
            let sameExec = running.count >= exec.count && Array(running.suffix(exec.count)) == exec
            let enclaveMoved = enclavesBooted.contains(service.stack.enclaveName ?? "")
            guard !(sameExec && unit.slice == service.slice && !enclaveMoved && unit.numaPolicy == policy) else { return }
            var d = StepDraft("unit:\(name)", .unitUpdate, target: .unit(name), disruption: .restart, phase: .placeUnits, side: .other)
            d.before = ["Slice": unit.slice.map(JSONValue.string) ?? .null, "ExecStart": .array(running.map(JSONValue.string))]
            d.after = desired
            if unit.numaPolicy != policy {
                d.reason = "the memory policy (NUMAPolicy=) is set when the service starts: restart"
                d.before[NUMAPolicySetting.policyKey] = unit.numaPolicy.map { .string($0.kind.rawValue) } ?? .null
                d.before[NUMAPolicySetting.maskKey] = unit.numaPolicy.map { .string($0.nodes.description) } ?? .null
                if policy == nil {
                    d.after[NUMAPolicySetting.policyKey] = .null
                    d.after[NUMAPolicySetting.maskKey] = .null
                }
            }
            d.after_ = after
            add(d)
        } else {
            var d = StepDraft("unit:\(name)", .unitCreate, target: .unit(name), disruption: .live, phase: .placeUnits, side: .other)
            d.after = desired
            d.after_ = after
            add(d)
        }
    }

    /// The NUMA policy of a Linux service's own unit (`memory.policy`), as placed.
    func numaPolicy(of service: ServiceSpec) -> NUMAPolicySetting? {
        guard service.stack == .linux, let placed = placed(service.name), let policy = placed.memoryPolicy else { return nil }
        return NUMAPolicySetting(policy, nodes: placed.policyNodes ?? CPUSet())
    }

    /// Units and slices sosplan made that the layout no longer wants.
    mutating func buildOrphanedUnits() {
        guard let systemd = snapshot.systemd else { return }
        let slices = Set(layout.services.map(\.slice))
        let execUnits = Set(layout.services.filter(\.hasOwnUnit).map(\.execUnitName))
        let placed = Set(layout.services.flatMap(\.units))
        var releasedBySlice: [String: [String]] = [:]
        // irqbalance carries sosplan's ban drop-in, not a placement (StepBuilder+Kernel looks after it).
        for unit in systemd.units where unit.managed && !StepBuilder.hostUnits.contains(unit.name) && unit.name != KernelObject.irqbalanceUnit {
            if unit.name.hasSuffix(".slice") {
                continue
            } else if unit.name.hasPrefix("sosplan-") && unit.name.hasSuffix(".service") {
                guard !execUnits.contains(unit.name) else { continue }
                let isContainer = unit.container != nil || unit.execStart.flatMap(ContainerRun.parse) != nil
                var d = StepDraft("unit:\(unit.name)", isContainer ? .containerRemove : .unitRemove, target: .unit(unit.name), disruption: .restart,
                    phase: .releaseUnits, side: .other, reason: "no longer in the layout")
                d.before = ["Slice": unit.slice.map(JSONValue.string) ?? .null]
                add(d)
                // It may be a launcher whose job holds an enclave: it goes first.
                if !isContainer {
                    for teardown in enclaveTeardownsByDriver.values.joined() { order(d.key, before: teardown) }
                }
                if let s = unit.slice { releasedBySlice[s, default: []].append(d.key) }
            } else if !placed.contains(unit.name) {
                var d = StepDraft("unit:\(unit.name)", .unitRelease, target: .unit(unit.name), disruption: .restart,
                    phase: .releaseUnits, side: .other, reason: "no longer in the layout: back to its own slice")
                d.before = ["Slice": unit.slice.map(JSONValue.string) ?? .null]
                d.after = ["Slice": .null]
                add(d)
                if let s = unit.slice { releasedBySlice[s, default: []].append(d.key) }
            }
        }
        for unit in systemd.units where unit.managed && unit.name.hasSuffix(".slice") && !slices.contains(unit.name)
            && !StepBuilder.hostUnits.contains(unit.name)
        {
            var d = StepDraft("slice:\(unit.name)", .sliceRemove, target: .unit(unit.name), disruption: .live,
                phase: .removeSlices, side: .linux, reason: "no longer in the layout")
            d.before = ["AllowedCPUs": .string((unit.allowedCPUs ?? CPUSet()).description)]
            d.releasesCPUs = unit.allowedCPUs ?? CPUSet()
            d.after_ = releasedBySlice[unit.name] ?? []
            add(d)
        }
    }
}
