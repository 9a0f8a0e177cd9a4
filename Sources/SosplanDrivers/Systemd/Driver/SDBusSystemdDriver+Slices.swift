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
        var plans: [(name: UnitName, relative: String, file: UnitFile, resources: ResourceControl, existing: Bool)] = []
        var seen = Set<UnitName>()
        for request in requests {
            let name = try ManagedUnitFiles.sliceName(request.name, field: "slice")
            guard seen.insert(name).inserted else {
                throw .invalidName(field: "slice", name: name.rawValue, reason: "it is requested twice")
            }
            let kind = request.existing ? .sliceProperties : try sliceFileKind(name)
            let relative = kind.relativePath(for: name)
            try requireWritable(relative, unit: name)
            plans.append((name, relative, try ManagedUnitFiles.slice(request, kind: kind), request.resources, request.existing))
        }
        var actions: [[SystemdChange.Action]] = []
        for plan in plans { actions.append(try write([(plan.relative, plan.file)], unit: plan.name)) }
        for i in try reloadIfNeeded(plans.map(\.name), changed: actions.map { !$0.isEmpty }) { actions[i].append(.reloaded) }
        let observed = try observe(plans.map(\.name))
        var changes: [SystemdChange] = []
        for (i, plan) in plans.enumerated() {
            var state = observed[i]
            // Another manager's slice is started by that manager; the drop-in waits for it.
            if state.activeState != "active" && !plan.existing {
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
    /// stops a slice sosplan created. Refuses to remove a slice sosplan
    /// created while units in it still run, and refuses a slice sosplan
    /// did not write.
    public func removeSlice(_ name: String) throws(SystemdError) -> SystemdChange {
        try removeSlices([name])[0]
    }

    /// Removes many slices with a single `Reload`; every slice is checked
    /// (names, ownership, running units) before the first file is removed.
    public func removeSlices(_ names: [String]) throws(SystemdError) -> [SystemdChange] {
        var plans: [(slice: UnitName, ownFile: Bool, dropIn: String, present: Bool)] = []
        for name in names {
            let slice = try ManagedUnitFiles.sliceName(name, field: "slice")
            let fileState = try unitDirectory.state(slice.rawValue)
            let dropIn = ManagedFileKind.sliceProperties.relativePath(for: slice)
            let dropInState = try unitDirectory.state(dropIn)
            let ownFile: Bool
            if case .managed(.slice, _) = fileState { ownFile = true } else { ownFile = false }
            if dropInState == .foreign {
                throw .notManaged(unit: slice.rawValue, path: unitDirectory.fileURL(dropIn).path, reason: "was not written by sosplan")
            }
            if !ownFile, dropInState == .missing, fileState != .missing {
                throw .notManaged(unit: slice.rawValue, path: unitDirectory.fileURL(slice.rawValue).path, reason: "was not created by sosplan")
            }
            let present = ownFile || dropInState != .missing
            // Only a slice sosplan created is stopped; removing a drop-in from
            // someone else's slice (kubepods.slice) leaves its units running.
            if present && ownFile {
                let busy = try activeUnits(in: slice)
                if !busy.isEmpty { throw .sliceInUse(slice: slice.rawValue, units: busy) }
            }
            plans.append((slice, ownFile, dropIn, present))
        }
        var actions: [[SystemdChange.Action]] = []
        for plan in plans {
            var done: [SystemdChange.Action] = []
            if plan.ownFile, try unitDirectory.remove(plan.slice.rawValue, unit: plan.slice.rawValue) {
                done.append(.removedFile(unitDirectory.fileURL(plan.slice.rawValue).path))
            }
            if try unitDirectory.remove(plan.dropIn, unit: plan.slice.rawValue) {
                done.append(.removedFile(unitDirectory.fileURL(plan.dropIn).path))
            }
            actions.append(done)
        }
        for i in try reloadIfNeeded(plans.map(\.slice), changed: actions.map { !$0.isEmpty }) { actions[i].append(.reloaded) }
        var changes: [SystemdChange] = []
        for (i, plan) in plans.enumerated() {
            var state = try observe(plan.slice)
            if plan.ownFile, state.activeState == "active" {
                try manager.run(.stop, plan.slice)
                actions[i].append(.stopped)
                state = try observe(plan.slice)
            }
            changes.append(SystemdChange(
                unit: plan.slice.rawValue, actions: actions[i], disruption: actions[i].isEmpty ? .none : .live, state: state))
        }
        return changes
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
