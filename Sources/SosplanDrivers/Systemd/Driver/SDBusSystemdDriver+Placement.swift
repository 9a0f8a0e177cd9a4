import SosplanCore

extension SDBusSystemdDriver {
    /// `unit.place`: moves an existing unit into `slice` with a `Slice=`
    /// drop-in, reloads systemd and restarts the unit if it runs (a running
    /// process cannot change slices). Reports `restart` when it restarted.
    ///
    /// Idempotent and resumable: with the drop-in in place and the unit
    /// already running in the slice's cgroup, nothing happens; a unit still
    /// running in its old cgroup (e.g. after an interrupted apply) is restarted.
    public func placeUnit(_ unit: String, inSlice slice: String) throws(SystemdError) -> SystemdChange {
        let name = try placeableUnit(unit)
        let sliceName = try ManagedUnitFiles.sliceName(slice, field: "\(unit).slice")
        if name.hasPrefix("sosplan-"), case .managed(let kind, _) = try unitDirectory.state(name.rawValue), kind == .execUnit || kind == .containerUnit {
            throw .invalidName(field: "unit", name: unit, reason: "it is sosplan's own unit; change its slice with unit.update or container.update")
        }
        let relative = ManagedFileKind.placement.relativePath(for: name)
        try requireWritable(relative, unit: name)
        let file = try ManagedUnitFiles.placement(unit: name, slice: sliceName)
        let before = try observe(name)
        guard before.loadState != "not-found" else { throw .noSuchUnit(unit: unit) }
        var actions = try write([(relative, file)], unit: name)
        if try !reloadIfNeeded([name], changed: [!actions.isEmpty]).isEmpty { actions.append(.reloaded) }
        var state = try observe(name)
        if isRunning(state), !runs(state, in: sliceName, unit: name) {
            try manager.run(.restart, name)
            actions.append(.restarted)
            state = try observe(name)
        }
        return SystemdChange(
            unit: name.rawValue, actions: actions, disruption: actions.contains(.restarted) ? .restart : (actions.isEmpty ? .none : .live),
            state: state)
    }

    /// `unit.release`: removes sosplan's `Slice=` drop-in, reloads systemd and
    /// restarts the unit if it runs, so it returns to its own slice.
    public func releaseUnit(_ unit: String) throws(SystemdError) -> SystemdChange {
        let name = try placeableUnit(unit)
        let relative = ManagedFileKind.placement.relativePath(for: name)
        var actions: [SystemdChange.Action] = []
        if try unitDirectory.remove(relative, unit: name.rawValue) {
            actions.append(.removedFile(unitDirectory.fileURL(relative).path))
        }
        if try !reloadIfNeeded([name], changed: [!actions.isEmpty]).isEmpty { actions.append(.reloaded) }
        var state = try observe(name)
        if isRunning(state), let slice = state.slice.flatMap({ try? UnitName($0) }), !runs(state, in: slice, unit: name) {
            try manager.run(.restart, name)
            actions.append(.restarted)
            state = try observe(name)
        }
        return SystemdChange(
            unit: name.rawValue, actions: actions, disruption: actions.contains(.restarted) ? .restart : (actions.isEmpty ? .none : .live),
            state: state)
    }

    func placeableUnit(_ unit: String) throws(SystemdError) -> UnitName {
        let name = try UnitName(unit, field: "unit")
        guard name.type.canBePlaced else {
            throw .invalidName(field: "unit", name: unit, reason: "only .service, .socket, .mount and .swap units can be moved into a slice")
        }
        return name
    }

    func isRunning(_ state: SystemdUnit) -> Bool {
        guard let s = state.activeState else { return false }
        return ["active", "activating", "reloading", "deactivating"].contains(s)
    }

    /// True when the unit's processes are in `slice`'s cgroup (so a restart
    /// would not move them).
    func runs(_ state: SystemdUnit, in slice: UnitName, unit: UnitName) -> Bool {
        guard let cgroup = state.controlGroup, let slicePath = slice.sliceCgroupPath else { return true }
        let prefix = slicePath == "/" ? "" : slicePath
        return cgroup == "\(prefix)/\(unit.rawValue)"
    }
}

private extension UnitName {
    func hasPrefix(_ p: String) -> Bool { rawValue.hasPrefix(p) }
}
