import SosplanCore

extension SDBusSystemdDriver {
    /// `unit.create`: writes `sosplan-<name>.service` (its argument vector
    /// quoted for `ExecStart=`, never a shell), enables it for
    /// `multi-user.target`, reloads systemd and starts it.
    public func createUnit(_ request: ExecUnitRequest) throws(SystemdError) -> SystemdChange {
        try applyExecUnit(request)
    }

    /// `unit.update`: rewrites the unit file of an existing sosplan unit and
    /// restarts the service if anything changed (`restart` disruption).
    public func updateUnit(_ request: ExecUnitRequest) throws(SystemdError) -> SystemdChange {
        let name = try ManagedUnitFiles.execUnitName(request.name)
        try requireOwnUnit(name)
        return try applyExecUnit(request)
    }

    /// `container.create`: writes the container's unit, enables, reloads
    /// and starts it.
    public func createContainerUnit(_ request: ContainerUnitRequest) throws(SystemdError) -> SystemdChange {
        let name = try ManagedUnitFiles.execUnitName(request.name)
        return try applyOwnUnit(name, file: try ManagedUnitFiles.containerUnit(request), resources: ResourceControl(), restartOnChange: true)
    }

    /// `container.update`: rewrites the container's unit; restarts it (a new
    /// container) only when `restart`, otherwise the new file waits for the
    /// next start (a live change is made with `podman update`).
    public func updateContainerUnit(_ request: ContainerUnitRequest, restart: Bool) throws(SystemdError) -> SystemdChange {
        let name = try ManagedUnitFiles.execUnitName(request.name)
        try requireOwnUnit(name)
        return try applyOwnUnit(name, file: try ManagedUnitFiles.containerUnit(request), resources: ResourceControl(), restartOnChange: restart)
    }

    /// A unit sosplan created for a service (exec or container): it may be
    /// rewritten as either.
    func requireOwnUnit(_ name: UnitName) throws(SystemdError) {
        switch try unitDirectory.state(name.rawValue) {
        case .managed(.execUnit, _), .managed(.containerUnit, _): return
        default:
            throw .notManaged(unit: name.rawValue, path: unitDirectory.fileURL(name.rawValue).path, reason: "is not a unit sosplan created (unit.create or container.create makes one)")
        }
    }

    private func applyExecUnit(_ request: ExecUnitRequest) throws(SystemdError) -> SystemdChange {
        let file = try ManagedUnitFiles.execUnit(request)
        let name = try ManagedUnitFiles.execUnitName(request.name)
        return try applyOwnUnit(name, file: file, resources: request.resources, restartOnChange: true)
    }

    private func applyOwnUnit(_ name: UnitName, file: UnitFile, resources: ResourceControl, restartOnChange: Bool) throws(SystemdError) -> SystemdChange {
        try requireWritable(name.rawValue, unit: name)
        var actions = try write([(name.rawValue, file)], unit: name)
        let rewritten = !actions.isEmpty
        if try unitDirectory.enable(name) {
            actions.append(.enabled(unitDirectory.fileURL("multi-user.target.wants/\(name.rawValue)").path))
        }
        let filesChanged = !actions.isEmpty
        let reloaded = try !reloadIfNeeded([name], changed: [filesChanged]).isEmpty
        if reloaded { actions.append(.reloaded) }
        // Reloaded without a write here: the file changed on disk earlier (an
        // interrupted apply), so the running service is stale as well.
        let stale = reloaded && !filesChanged
        var state = try observe(name)
        if isRunning(state) {
            if restartOnChange && (rewritten || stale) {
                try manager.run(.restart, name)
                actions.append(.restarted)
            }
        } else {
            try manager.run(.start, name)
            actions.append(.started)
        }
        if actions.contains(.restarted) || actions.contains(.started) { state = try observe(name) }
        if let action = try enforceRuntime(resources, on: name, observed: state) {
            actions.append(action)
            state = try observe(name)
        }
        return SystemdChange(
            unit: name.rawValue, actions: actions, disruption: actions.contains(.restarted) ? .restart : (actions.isEmpty ? .none : .live),
            state: state)
    }

    /// `unit.remove`: stops a unit sosplan created and removes its unit file
    /// and link. Refuses any unit whose file lacks sosplan's marker.
    public func removeUnit(_ name: String) throws(SystemdError) -> SystemdChange {
        let unit = try ManagedUnitFiles.execUnitName(name)
        switch try unitDirectory.state(unit.rawValue) {
        case .missing:
            return SystemdChange(unit: unit.rawValue, state: try observe(unit))
        case .foreign, .managed:
            switch try unitDirectory.state(unit.rawValue) {
            case .managed(.execUnit, _), .managed(.containerUnit, _): break
            default:
                throw .notManaged(unit: unit.rawValue, path: unitDirectory.fileURL(unit.rawValue).path, reason: "was not created by sosplan")
            }
        }
        var actions: [SystemdChange.Action] = []
        if isRunning(try observe(unit)) {
            try manager.run(.stop, unit)
            actions.append(.stopped)
        }
        if unitDirectory.disable(unit) {
            actions.append(.disabled(unitDirectory.fileURL("multi-user.target.wants/\(unit.rawValue)").path))
        }
        if try unitDirectory.remove(unit.rawValue, unit: unit.rawValue) {
            actions.append(.removedFile(unitDirectory.fileURL(unit.rawValue).path))
        }
        try reload()
        actions.append(.reloaded)
        // A container's monitor exits non-zero when its payload is killed: the stopped unit is `failed`.
        var state = try observe(unit)
        if state.activeState == "failed" {
            try manager.resetFailed(unit)
            state = try observe(unit)
        }
        return SystemdChange(unit: unit.rawValue, actions: actions, disruption: .restart, state: state)
    }
}
