import SosplanCore

extension SDBusSystemdDriver {
    /// `slice.create`: writes the slice's unit file (or, for a slice defined
    /// elsewhere, a drop-in), reloads systemd and starts the slice.
    public func createSlice(_ request: SliceRequest) throws(SystemdError) -> SystemdChange {
        try applySlices([request])[0]
    }

    /// `slice.update`: like `createSlice`, for a slice sosplan already manages.
    public func updateSlice(_ request: SliceRequest) throws(SystemdError) -> SystemdChange {
        let name = try ManagedUnitFiles.sliceName(request.name, field: "slice")
        guard try isManaged(name) else {
            throw .notManaged(
                unit: name.rawValue, path: unitDirectory.fileURL(name.rawValue).path,
                reason: "has no unit file or drop-in from sosplan to update (slice.create makes one)")
        }
        return try applySlices([request])[0]
    }

    /// Creates or updates many slices with a single `Reload`. All requests are
    /// validated and rendered before the first file is written.
    public func applySlices(_ requests: [SliceRequest]) throws(SystemdError) -> [SystemdChange] {
        var plans: [(name: UnitName, relative: String, file: UnitFile, resources: ResourceControl)] = []
        var seen = Set<UnitName>()
        for request in requests {
            let name = try ManagedUnitFiles.sliceName(request.name, field: "slice")
            guard seen.insert(name).inserted else {
                throw .invalidName(field: "slice", name: name.rawValue, reason: "it is requested twice")
            }
            let kind = try sliceFileKind(name)
            let relative = kind.relativePath(for: name)
            try requireWritable(relative, unit: name)
            plans.append((name, relative, try ManagedUnitFiles.slice(request, kind: kind), request.resources))
        }
        var actions: [[SystemdChange.Action]] = []
        for plan in plans { actions.append(try write([(plan.relative, plan.file)], unit: plan.name)) }
        for i in try reloadIfNeeded(plans.map(\.name), changed: actions.map { !$0.isEmpty }) { actions[i].append(.reloaded) }
        var changes: [SystemdChange] = []
        for (i, plan) in plans.enumerated() {
            var state = try observe(plan.name)
            if state.activeState != "active" {
                try manager.run(.start, plan.name)
                actions[i].append(.started)
                state = try observe(plan.name)
            }
            if let action = try enforceRuntime(plan.resources, on: plan.name, observed: state) {
                actions[i].append(action)
                state = try observe(plan.name)
            }
            changes.append(SystemdChange(
                unit: plan.name.rawValue, actions: actions[i], disruption: actions[i].isEmpty ? .none : .live, state: state))
        }
        return changes
    }

    /// `slice.remove`: removes sosplan's unit file or drop-in, reloads, and
    /// stops a slice sosplan created. Refuses while units in it still run,
    /// and refuses a slice sosplan did not write.
    public func removeSlice(_ name: String) throws(SystemdError) -> SystemdChange {
        let slice = try ManagedUnitFiles.sliceName(name, field: "slice")
        let fileState = try unitDirectory.state(slice.rawValue)
        let dropIn = ManagedFileKind.sliceProperties.relativePath(for: slice)
        let dropInState = try unitDirectory.state(dropIn)
        let ownFile: Bool
        if case .managed(.slice, _) = fileState { ownFile = true } else { ownFile = false }
        if !ownFile, dropInState == .missing {
            if fileState == .missing { return SystemdChange(unit: slice.rawValue, state: try observe(slice)) }
            throw .notManaged(unit: slice.rawValue, path: unitDirectory.fileURL(slice.rawValue).path, reason: "was not created by sosplan")
        }
        let busy = try activeUnits(in: slice)
        if !busy.isEmpty { throw .sliceInUse(slice: slice.rawValue, units: busy) }
        var actions: [SystemdChange.Action] = []
        if ownFile, try unitDirectory.remove(slice.rawValue, unit: slice.rawValue) {
            actions.append(.removedFile(unitDirectory.fileURL(slice.rawValue).path))
        }
        if try unitDirectory.remove(dropIn, unit: slice.rawValue) {
            actions.append(.removedFile(unitDirectory.fileURL(dropIn).path))
        }
        try manager.reload()
        actions.append(.reloaded)
        if ownFile, try observe(slice).activeState == "active" {
            try manager.run(.stop, slice)
            actions.append(.stopped)
        }
        return SystemdChange(unit: slice.rawValue, actions: actions, disruption: .live, state: try observe(slice))
    }

    /// A unit file of sosplan's own, or a drop-in when the slice is defined by
    /// someone else (a foreign file in the unit directory or a fragment
    /// elsewhere, e.g. `/usr/lib/systemd/system`).
    func sliceFileKind(_ slice: UnitName) throws(SystemdError) -> ManagedFileKind {
        switch try unitDirectory.state(slice.rawValue) {
        case .managed(.slice, _): return .slice
        case .managed, .foreign: return .sliceProperties
        case .missing: break
        }
        if case .managed = try unitDirectory.state(ManagedFileKind.sliceProperties.relativePath(for: slice)) {
            return .sliceProperties
        }
        let path = try manager.unitPath(slice)
        let common = try manager.properties(path, interface: SystemdManager.unitInterface, unit: slice)
        let fragment = common["FragmentPath"]?.stringValue ?? ""
        return fragment.isEmpty ? .slice : .sliceProperties
    }

    /// Running units (and sub-slices) inside `slice`, from its `RequiredBy`.
    func activeUnits(in slice: UnitName) throws(SystemdError) -> [String] {
        guard let path = try manager.loadedUnitPath(slice) else { return [] }
        let common = try manager.properties(path, interface: SystemdManager.unitInterface, unit: slice)
        var busy: [String] = []
        for name in (common["RequiredBy"]?.stringArray ?? []).sorted() {
            guard let unit = try? UnitName(name), unit.type.hasResourceControl else { continue }
            let state = try observe(unit)
            if state.slice == slice.rawValue, let active = state.activeState, !["inactive", "failed"].contains(active) {
                busy.append(name)
            }
        }
        return busy
    }
}
