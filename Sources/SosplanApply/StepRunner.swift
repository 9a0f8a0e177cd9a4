import SosplanCore
import SosplanDrivers

/// Carries out plan steps through the drivers: records each target's state
/// before (`capture`), makes the change and reads it back against the
/// step's `after` (`execute`), and restores the recorded state (`undo`).
/// Never prints; the engine reports.
struct StepRunner {
    let host: ApplyHost

    /// Steps one driver call can make together: slice changes share one
    /// daemon-reload (200 slices in one batch, not 200 reloads).
    static func batchable(_ a: StepAction) -> Bool { a == .sliceCreate || a == .sliceUpdate }

    /// - Parameter known: units as they were read moments ago (the plan's
    ///   snapshot) and not touched since; a batch of slice steps whose
    ///   targets are all known takes its priors from there instead of
    ///   reading the same units from systemd again.
    func capture(_ steps: [Step], known: [String: SystemdUnit] = [:]) throws(StepFailure) -> [StepPrior] {
        if steps.allSatisfy({ Self.batchable($0.action) }) {
            let fromSnapshot = steps.compactMap { known[$0.target] }
            let units = fromSnapshot.count == steps.count ? fromSnapshot : try systemd().observeUnitsOrFail(steps.map(\.target))
            return units.map { u in
                var p = StepPrior()
                p.units = [u]
                return p
            }
        }
        var out: [StepPrior] = []
        for step in steps { out.append(try capture(step)) }
        return out
    }

    func capture(_ step: Step) throws(StepFailure) -> StepPrior {
        var prior = StepPrior()
        switch try StepTarget.parse(step) {
        case .unit(let name):
            prior.units = try systemd().observeUnitsOrFail([name])
            if Self.isContainerStep(step.action) { try captureContainer(&prior) }
        case .host:
            prior.units = try systemd().observeUnitsOrFail(HostUnits.names)
        case .cpus(let cpus):
            prior.onlineCPUs = CPUSet(cpus.filter { host.hotplug.isCPUOnline($0) })
        case .memoryBlocks(let blocks):
            prior.onlineBlocks = IDSet(blocks.filter { host.hotplug.isMemoryBlockOnline($0) == true })
        case .hugepages(let h):
            // nil when the pool cannot be read: the step will fail and there is nothing to undo.
            prior.hugepages = host.hugepages.count(node: h.node, sizeBytes: h.sizeBytes)
        case .enclave(let name, let driverKind, let instance):
            let d = try driver(try driverKind.orElse { () throws(StepFailure) in try enclaveDriverKind(step) })
            let observed: EnclaveObservation
            do { observed = try d.observeEnclaves() } catch { throw StepFailure.from(error) }
            prior.enclave = observed.instances.first { inst in
                if let name { return inst.name == name }
                return inst.instance == instance
            }
            prior.pool = observed.pool
            prior.unnamedInstances = observed.instances.filter { $0.name == nil }.map(\.instance)
        }
        return prior
    }

    /// Runs `steps` (one step, or a batch of slice steps) and checks them.
    func execute(_ steps: [Step], priors: [StepPrior]) throws(StepFailure) -> [StepResult] {
        if steps.count > 1 { return try executeSlices(steps, priors: priors) }
        let step = steps[0], prior = priors[0]
        switch step.action {
        case .sliceCreate, .sliceUpdate: return try executeSlices(steps, priors: priors)
        case .sliceRemove: return [try removeSlice(step)]
        case .unitPlace: return [try placeUnit(step)]
        case .unitRelease: return [try releaseUnit(step)]
        case .unitCreate, .unitUpdate: return [try writeExecUnit(step)]
        case .unitRemove: return [try removeExecUnit(step)]
        case .containerCreate, .containerUpdate: return [try runContainer(step, prior: prior)]
        case .containerRemove: return [try removeContainer(step)]
        case .hostConfine: return [try confineHost(step)]
        case .cpuOffline, .cpuOnline: return [try setCPUs(step)]
        case .memoryOffline, .memoryOnline: return [try setMemoryBlocks(step)]
        case .hugepagesSet: return [try setHugepages(step, prior: prior)]
        case .enclaveCreate: return [try createEnclave(step)]
        case .enclaveDestroy: return [try destroyEnclave(step)]
        case .enclaveGrow: return [try growEnclave(step)]
        case .enclaveShrink: return [try shrinkEnclave(step)]
        }
    }

    /// Puts the step's target back as `prior` recorded it; a step that
    /// never ran, or already was undone, is left as it is.
    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        switch step.action {
        case .sliceCreate, .sliceUpdate, .sliceRemove: return try undoSlice(step, prior: prior)
        case .unitPlace, .unitRelease: return try undoPlacement(step, prior: prior)
        case .unitCreate, .unitUpdate, .unitRemove: return try undoExecUnit(step, prior: prior)
        case .containerCreate, .containerUpdate, .containerRemove: return try undoContainer(step, prior: prior)
        case .hostConfine: return try undoConfinement(prior: prior)
        case .cpuOffline, .cpuOnline: return try undoCPUs(step, prior: prior)
        case .memoryOffline, .memoryOnline: return try undoMemoryBlocks(step, prior: prior)
        case .hugepagesSet: return try undoHugepages(step, prior: prior)
        case .enclaveCreate: return try undoCreate(step, prior: prior)
        case .enclaveDestroy: return try undoDestroy(step, prior: prior)
        case .enclaveGrow: return try undoGrow(step, prior: prior)
        case .enclaveShrink: return try undoShrink(step, prior: prior)
        }
    }

    // MARK: Shared

    func systemd() throws(StepFailure) -> SDBusSystemdDriver {
        guard let d = host.systemd else {
            throw StepFailure("this step changes systemd, but sosplan has no connection to it (--no-systemd?)")
        }
        return d
    }

    func driver(_ kind: EnclaveDriverKind) throws(StepFailure) -> any EnclaveDriver {
        guard let d = host.enclaves[kind] else {
            throw StepFailure("no \(kind.rawValue) co-kernel on this host (its tools or kernel module are missing)")
        }
        return d
    }

    /// The driver of an enclave step: from the step, else from the observed
    /// instance of that name.
    func enclaveDriverKind(_ step: Step) throws(StepFailure) -> EnclaveDriverKind {
        if let raw = step.after["driver"]?.stringValue ?? step.before["driver"]?.stringValue,
            let kind = EnclaveDriverKind(rawValue: raw)
        {
            return kind
        }
        let name = String(step.target.dropFirst("enclave:".count))
        for (kind, d) in host.enclaves.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            if (try? d.instance(named: name)) != nil { return kind }
        }
        throw StepFailure("step \(step.id): no co-kernel on this host has an enclave named '\(name)'")
    }

    /// Compares what the host reports after a step with the step's `after`.
    func check(_ after: PropertyMap, _ observed: PropertyMap, what: String) throws(StepFailure) {
        var wrong: [String] = []
        for (key, want) in after.entries {
            guard let have = observed[key] else { continue }
            if have != want { wrong.append("\(key) is \(Self.show(have)), not \(Self.show(want))") }
        }
        guard wrong.isEmpty else {
            throw StepFailure("after the change, \(what): \(wrong.joined(separator: "; "))")
        }
    }

    static func show(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return s.isEmpty ? "(unrestricted)" : s
        case .null: return "(unset)"
        default: return JSONWriter.compact(v)
        }
    }
}

extension SDBusSystemdDriver {
    func observeUnitsOrFail(_ names: [String]) throws(StepFailure) -> [SystemdUnit] {
        do { return try observeUnits(names) } catch { throw StepFailure("cannot read \(names.joined(separator: ", ")) from systemd: \(error)") }
    }
}
