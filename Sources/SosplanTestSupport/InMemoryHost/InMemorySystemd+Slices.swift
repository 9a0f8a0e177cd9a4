import SosplanCore
import SosplanDrivers

/// Slices and the host's confinement, as `SDBusSystemdDriver+Slices` and
/// `+Host` make them: files first (all validated before the first one is
/// written), one reload, then jobs, each unit read back.
extension InMemorySystemd {
    public func applySlices(_ requests: [SliceRequest]) throws(SystemdError) -> [SystemdChange] {
        var plans: [(name: String, relative: String, file: File, existing: Bool)] = []
        var seen = Set<String>()
        for request in requests {
            let name = try ManagedUnitFiles.sliceName(request.name, field: "slice")
            guard seen.insert(name.rawValue).inserted else {
                throw .invalidName(field: "slice", name: name.rawValue, reason: "it is requested twice")
            }
            let ownFile = state.files[name.rawValue]?.kind == .slice
            let dropIn = ManagedFileKind.sliceProperties.relativePath(for: name)
            // A slice defined elsewhere (a distribution's, a foreign file) gets a drop-in, as in the driver.
            let definedElsewhere = state.vendor[name.rawValue] != nil || state.files[name.rawValue] != nil
                || state.files[dropIn]?.kind == .sliceProperties
            let kind: ManagedFileKind = request.existing || (!ownFile && definedElsewhere) ? .sliceProperties : .slice
            let relative = kind.relativePath(for: name)
            if let f = state.files[relative], f.kind == nil {
                throw .notManaged(unit: name.rawValue, path: path(relative), reason: "exists and was not written by sosplan")
            }
            let text = try ManagedUnitFiles.slice(request, kind: kind).render()
            plans.append((name.rawValue, relative, File(unit: name.rawValue, kind: kind, text: text, settings: request.resources), request.existing))
        }
        var actions: [[SystemdChange.Action]] = []
        for plan in plans { actions.append(try write(plan.relative, plan.file)) }
        for i in try reloadIfNeeded(plans.map(\.name), changed: actions.map { !$0.isEmpty }) { actions[i].append(.reloaded) }
        var changes: [SystemdChange] = []
        for (i, plan) in plans.enumerated() {
            // Another manager's slice is started by that manager; the drop-in waits for it.
            if unit(plan.name).activeState != "active" && !plan.existing {
                try job(.start, plan.name)
                actions[i].append(.started)
            }
            changes.append(SystemdChange(
                unit: plan.name, actions: actions[i], disruption: actions[i].isEmpty ? .none : .live, state: unit(plan.name)))
        }
        return changes
    }

    public func removeSlices(_ names: [String]) throws(SystemdError) -> [SystemdChange] {
        var plans: [(slice: String, ownFile: Bool, dropIn: String)] = []
        for name in names {
            let slice = try ManagedUnitFiles.sliceName(name, field: "slice")
            let dropIn = ManagedFileKind.sliceProperties.relativePath(for: slice)
            let ownFile = state.files[slice.rawValue]?.kind == .slice
            if let f = state.files[dropIn], f.kind == nil {
                throw .notManaged(unit: slice.rawValue, path: path(dropIn), reason: "was not written by sosplan")
            }
            if !ownFile, state.files[dropIn] == nil, state.files[slice.rawValue] != nil {
                throw .notManaged(unit: slice.rawValue, path: path(slice.rawValue), reason: "was not created by sosplan")
            }
            if ownFile {
                let busy = state.loaded.values.filter { $0.slice == slice.rawValue && isRunning($0) }.map(\.name).sorted()
                if !busy.isEmpty { throw .sliceInUse(slice: slice.rawValue, units: busy) }
            }
            plans.append((slice.rawValue, ownFile, dropIn))
        }
        var actions: [[SystemdChange.Action]] = []
        for plan in plans {
            var done: [SystemdChange.Action] = []
            if plan.ownFile { done += try remove(plan.slice, unit: plan.slice) }
            done += try remove(plan.dropIn, unit: plan.slice)
            actions.append(done)
        }
        for i in try reloadIfNeeded(plans.map(\.slice), changed: actions.map { !$0.isEmpty }) { actions[i].append(.reloaded) }
        var changes: [SystemdChange] = []
        for (i, plan) in plans.enumerated() {
            if plan.ownFile, unit(plan.slice).activeState == "active" {
                try job(.stop, plan.slice)
                actions[i].append(.stopped)
            }
            changes.append(SystemdChange(
                unit: plan.slice, actions: actions[i], disruption: actions[i].isEmpty ? .none : .live, state: unit(plan.slice)))
        }
        return changes
    }

    public func confineHost(to cpus: CPUSet) throws(SystemdError) -> [SystemdChange] {
        var plans: [(String, String, File)] = []
        for host in HostUnits.names {
            let unit = try UnitName(host)
            let relative = ManagedFileKind.confinement.relativePath(for: unit)
            let text = try ManagedUnitFiles.confinement(unit: unit, cpus: cpus).render()
            plans.append((host, relative, File(unit: host, kind: .confinement, text: text, settings: ResourceControl(allowedCPUs: cpus))))
        }
        var written: [[SystemdChange.Action]] = []
        for (_, relative, file) in plans { written.append(try write(relative, file)) }
        return try hostChange(written)
    }

    public func unconfineHost() throws(SystemdError) -> [SystemdChange] {
        var removals: [[SystemdChange.Action]] = []
        for host in HostUnits.names {
            removals.append(try remove(ManagedFileKind.confinement.relativePath(for: try UnitName(host)), unit: host))
        }
        return try hostChange(removals)
    }

    private func hostChange(_ written: [[SystemdChange.Action]]) throws(SystemdError) -> [SystemdChange] {
        var actions = written
        for i in try reloadIfNeeded(HostUnits.names, changed: actions.map { !$0.isEmpty }) { actions[i].append(.reloaded) }
        return HostUnits.names.enumerated().map { i, name in
            SystemdChange(unit: name, actions: actions[i], disruption: actions[i].isEmpty ? .none : .live, state: unit(name))
        }
    }
}
