import SosplanCore
import SosplanDrivers

/// Placed units and sosplan's own units, as `SDBusSystemdDriver+Placement`
/// and `+ExecUnits` make them.
extension InMemorySystemd {
    public func placeUnit(_ name: String, inSlice slice: String) throws(SystemdError) -> SystemdChange {
        let unit = try placeable(name)
        let sliceName = try ManagedUnitFiles.sliceName(slice, field: "\(name).slice")
        if let kind = state.files[name]?.kind, kind == .execUnit || kind == .containerUnit {
            throw .invalidName(field: "unit", name: name, reason: "it is sosplan's own unit; change its slice with unit.update or container.update")
        }
        let relative = ManagedFileKind.placement.relativePath(for: unit)
        if let f = state.files[relative], f.kind == nil {
            throw .notManaged(unit: name, path: path(relative), reason: "exists and was not written by sosplan")
        }
        guard self.unit(name).loadState != "not-found" else { throw .noSuchUnit(unit: name) }
        let text = try ManagedUnitFiles.placement(unit: unit, slice: sliceName).render()
        var actions = try write(relative, File(unit: name, kind: .placement, text: text, slice: slice))
        if try !reloadIfNeeded([name], changed: [!actions.isEmpty]).isEmpty { actions.append(.reloaded) }
        return try restartIfMoved(name, actions)
    }

    public func releaseUnit(_ name: String) throws(SystemdError) -> SystemdChange {
        let unit = try placeable(name)
        var actions = try remove(ManagedFileKind.placement.relativePath(for: unit), unit: name)
        if try !reloadIfNeeded([name], changed: [!actions.isEmpty]).isEmpty { actions.append(.reloaded) }
        return try restartIfMoved(name, actions)
    }

    /// A running unit whose processes are in another slice than its own now is restarted.
    private func restartIfMoved(_ name: String, _ done: [SystemdChange.Action]) throws(SystemdError) -> SystemdChange {
        var actions = done
        let u = unit(name)
        if isRunning(u), state.runningIn[name] != u.slice {
            try job(.restart, name)
            actions.append(.restarted)
        }
        return SystemdChange(
            unit: name, actions: actions, disruption: actions.contains(.restarted) ? .restart : (actions.isEmpty ? .none : .live),
            state: unit(name))
    }

    private func placeable(_ name: String) throws(SystemdError) -> UnitName {
        let unit = try UnitName(name, field: "unit")
        guard unit.type.canBePlaced else {
            throw .invalidName(field: "unit", name: name, reason: "only .service, .socket, .mount and .swap units can be moved into a slice")
        }
        return unit
    }

    public func createUnit(_ request: ExecUnitRequest) throws(SystemdError) -> SystemdChange {
        let text = try ManagedUnitFiles.execUnit(request).render()
        return try applyOwnUnit(
            File(unit: request.name, kind: .execUnit, text: text, slice: request.slice, execStart: request.arguments, numaPolicy: request.numaPolicy),
            restartOnChange: true)
    }

    public func updateUnit(_ request: ExecUnitRequest) throws(SystemdError) -> SystemdChange {
        try requireOwnUnit(request.name)
        return try createUnit(request)
    }

    public func createContainerUnit(_ request: ContainerUnitRequest) throws(SystemdError) -> SystemdChange {
        try applyContainerUnit(request, restart: true)
    }

    public func updateContainerUnit(_ request: ContainerUnitRequest, restart: Bool) throws(SystemdError) -> SystemdChange {
        try requireOwnUnit(request.name)
        return try applyContainerUnit(request, restart: restart)
    }

    private func applyContainerUnit(_ request: ContainerUnitRequest, restart: Bool) throws(SystemdError) -> SystemdChange {
        let text = try ManagedUnitFiles.containerUnit(request).render()
        return try applyOwnUnit(
            File(unit: request.name, kind: .containerUnit, text: text, slice: request.slice, execStart: request.arguments),
            restartOnChange: restart)
    }

    private func requireOwnUnit(_ name: String) throws(SystemdError) {
        let kind = state.files[name]?.kind
        guard kind == .execUnit || kind == .containerUnit else {
            throw .notManaged(unit: name, path: path(name), reason: "is not a unit sosplan created (unit.create or container.create makes one)")
        }
    }

    private func applyOwnUnit(_ file: File, restartOnChange: Bool) throws(SystemdError) -> SystemdChange {
        let name = file.unit
        var actions = try write(name, file)
        let rewritten = !actions.isEmpty
        if state.enabled.insert(name).inserted { actions.append(.enabled(path("multi-user.target.wants/\(name)"))) }
        let filesChanged = !actions.isEmpty
        let reloaded = try !reloadIfNeeded([name], changed: [filesChanged]).isEmpty
        if reloaded { actions.append(.reloaded) }
        let stale = reloaded && !filesChanged
        if isRunning(unit(name)) {
            if restartOnChange && (rewritten || stale) {
                try job(.restart, name)
                actions.append(.restarted)
            }
        } else {
            try job(.start, name)
            actions.append(.started)
        }
        return SystemdChange(
            unit: name, actions: actions, disruption: actions.contains(.restarted) ? .restart : (actions.isEmpty ? .none : .live),
            state: unit(name))
    }

    public func removeUnit(_ name: String) throws(SystemdError) -> SystemdChange {
        _ = try ManagedUnitFiles.execUnitName(name)
        guard let file = state.files[name] else { return SystemdChange(unit: name, state: unit(name)) }
        guard file.kind == .execUnit || file.kind == .containerUnit else {
            throw .notManaged(unit: name, path: path(name), reason: "was not created by sosplan")
        }
        var actions: [SystemdChange.Action] = []
        if isRunning(unit(name)) {
            try job(.stop, name)
            actions.append(.stopped)
        }
        if state.enabled.remove(name) != nil { actions.append(.disabled(path("multi-user.target.wants/\(name)"))) }
        actions += try remove(name, unit: name)
        try reload()
        actions.append(.reloaded)
        if unit(name).activeState == "failed" { resetFailed(name) }
        return SystemdChange(unit: name, actions: actions, disruption: .restart, state: unit(name))
    }
}
