import SosplanCore

extension SDBusSystemdDriver {
    /// `host.confine`: restricts `init.scope`, `system.slice` and `user.slice`
    /// to the host CPUs with `AllowedCPUs=` drop-ins and one `Reload` (applied
    /// live to running processes).
    public func confineHost(to cpus: CPUSet) throws(SystemdError) -> [SystemdChange] {
        var plans: [(UnitName, String, UnitFile)] = []
        for host in HostUnits.names {
            let unit = try UnitName(host)
            let relative = ManagedFileKind.confinement.relativePath(for: unit)
            try requireWritable(relative, unit: unit)
            plans.append((unit, relative, try ManagedUnitFiles.confinement(unit: unit, cpus: cpus)))
        }
        var actions: [[SystemdChange.Action]] = []
        for (unit, relative, file) in plans { actions.append(try write([(relative, file)], unit: unit)) }
        for i in try reloadIfNeeded(plans.map(\.0), changed: actions.map { !$0.isEmpty }) { actions[i].append(.reloaded) }
        var changes: [SystemdChange] = []
        for (i, (unit, _, _)) in plans.enumerated() {
            var state = try observe(unit)
            if let action = try enforceRuntime(ResourceControl(allowedCPUs: cpus), on: unit, observed: state) {
                actions[i].append(action)
                state = try observe(unit)
            }
            changes.append(SystemdChange(unit: unit.rawValue, actions: actions[i], disruption: actions[i].isEmpty ? .none : .live, state: state))
        }
        return changes
    }

    /// Undoes `host.confine`: removes sosplan's drop-ins and reloads. If a
    /// runtime override from an earlier `confineHost` still restricts a unit,
    /// it is reset at runtime (`AllowedCPUs=` empty).
    public func unconfineHost() throws(SystemdError) -> [SystemdChange] {
        var units: [(UnitName, String)] = []
        for host in HostUnits.names {
            let unit = try UnitName(host)
            let relative = ManagedFileKind.confinement.relativePath(for: unit)
            if try unitDirectory.state(relative) == .foreign {
                throw .notManaged(unit: unit.rawValue, path: unitDirectory.fileURL(relative).path, reason: "was not written by sosplan")
            }
            units.append((unit, relative))
        }
        var actions: [[SystemdChange.Action]] = []
        for (unit, relative) in units {
            actions.append(try unitDirectory.remove(relative, unit: unit.rawValue) ? [.removedFile(unitDirectory.fileURL(relative).path)] : [])
        }
        for i in try reloadIfNeeded(units.map(\.0), changed: actions.map { !$0.isEmpty }) { actions[i].append(.reloaded) }
        var changes: [SystemdChange] = []
        for (i, (unit, _)) in units.enumerated() {
            var state = try observe(unit)
            if !actions[i].isEmpty, state.allowedCPUs != nil {
                try manager.setUnitProperties(unit, runtime: true, [("AllowedCPUs", .bytes([]))])
                actions[i].append(.setRuntime(["AllowedCPUs"]))
                state = try observe(unit)
            }
            changes.append(SystemdChange(unit: unit.rawValue, actions: actions[i], disruption: actions[i].isEmpty ? .none : .live, state: state))
        }
        return changes
    }
}
