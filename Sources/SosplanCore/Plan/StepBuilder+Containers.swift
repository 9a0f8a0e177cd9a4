/// `container:` services: `sosplan-<name>.service` running podman. A
/// change of CPUs or memory is `live` (`podman update` on the running
/// container, and the unit rewritten so a later start agrees); a change of
/// image, command or options is a `restart` (a new container).
extension StepBuilder {
    mutating func buildContainerUnit(_ service: ServiceSpec, sliceKeys: [String]) {
        guard let container = service.container, let placed = placed(service.name) else { return }
        let desired = ContainerRun(service: service, container: container, cpus: placed.cpus, memoryNodes: placed.memoryNodes)
        let name = service.execUnitName
        var wanted = PropertyMap()
        wanted["Slice"] = .string(service.slice)
        for (k, v) in desired.properties.entries { wanted[k] = v }

        guard let unit = observedUnit(name), unit.loadState != "not-found" else {
            var d = StepDraft("unit:\(name)", .containerCreate, target: .unit(name), disruption: .live, phase: .placeUnits, side: .other)
            d.after = wanted
            d.after_ = sliceKeys
            add(d)
            return
        }
        guard let running = unit.execStart.flatMap(ContainerRun.parse)?.run else {
            // Not a container sosplan runs (an `exec:` unit before, or an edited file): replace it whole.
            var d = StepDraft("unit:\(name)", .containerUpdate, target: .unit(name), disruption: .restart, phase: .placeUnits, side: .other,
                reason: "not the container the layout asks for: a new one")
            d.before = ["Slice": unit.slice.map(JSONValue.string) ?? .null, "ExecStart": .array((unit.execStart ?? []).map(JSONValue.string))]
            d.after = wanted
            d.after_ = sliceKeys
            add(d)
            return
        }
        var observed = PropertyMap()
        observed["Slice"] = unit.slice.map(JSONValue.string) ?? .null
        for (k, v) in running.properties.entries { observed[k] = v }
        if container.runtime == nil { observed["Runtime"] = .null }  // the host's choice, whatever it was

        if desired.needsRestart(comparedTo: running) || unit.slice != service.slice {
            let (before, after) = UnitProperties.changes(from: observed, to: wanted)
            var d = StepDraft("unit:\(name)", .containerUpdate, target: .unit(name), disruption: .restart, phase: .placeUnits, side: .other,
                reason: "image, command or options changed: a new container")
            d.before = before
            d.after = after
            d.after_ = sliceKeys
            add(d)
            return
        }
        // Live values: what the unit says and what the running container's
        // process may use must both match (memory limits: the unit's, as
        // podman does not report a later update).
        var actual = observed
        if let c = unit.container, c.isRunning {
            if let cpus = c.cpusetCpus { actual["CpusetCpus"] = .string(cpus.description) }
            if let mems = c.cpusetMems { actual["CpusetMems"] = .string(mems.description) }
        }
        var before = PropertyMap(), after = PropertyMap()
        for key in ContainerRun.liveKeys {
            let want = wanted[key] ?? .null
            guard observed[key] != want || actual[key] != want else { continue }
            before[key] = actual[key] != want ? (actual[key] ?? .null) : (observed[key] ?? .null)
            after[key] = want
        }
        guard !after.isEmpty else { return }
        let old = (actual["CpusetCpus"]?.stringValue).flatMap { try? CPUSet(lenientList: $0) } ?? CPUSet()
        let oldCPUs = old.isEmpty ? onlineCPUs : old
        let removed = oldCPUs.subtracting(desired.cpus.isEmpty ? onlineCPUs : desired.cpus)
        let added = (desired.cpus.isEmpty ? onlineCPUs : desired.cpus).subtracting(oldCPUs)
        let gives = !removed.isDisjoint(with: enclaveBoundCPUs)
        var d = StepDraft("unit:\(name)", .containerUpdate, target: .unit(name), disruption: .live,
            phase: gives ? .shrinkLinux : .growLinux, side: .linux, reason: "podman update, no restart")
        d.before = before
        d.after = after
        d.releasesCPUs = removed
        d.acquiresCPUs = added
        d.after_ = gives ? [] : sliceKeys
        add(d)
    }

}
