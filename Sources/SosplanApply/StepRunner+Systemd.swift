import Foundation
import SosplanCore
import SosplanDrivers

/// slice.*, unit.* and host.confine through the systemd driver.
extension StepRunner {
    // MARK: Slices

    /// The whole set of settings a slice should have: what it has now,
    /// overlaid with the step's changes (a `slice.update` step carries only
    /// the properties that differ, the driver writes the whole file).
    static func desiredSlice(_ step: Step, prior: SystemdUnit?) throws(StepFailure) -> ResourceControl {
        var properties = prior.map { $0.loadState == "not-found" ? PropertyMap() : UnitProperties.observed($0) } ?? PropertyMap()
        for (key, value) in step.after.entries { properties[key] = value }
        do { return try ResourceControl(planProperties: properties) } catch {
            throw StepFailure("step \(step.id) (\(step.target)): \(error)")
        }
    }

    func executeSlices(_ steps: [Step], priors: [StepPrior]) throws(StepFailure) -> [StepResult] {
        var requests: [SliceRequest] = []
        for (step, prior) in zip(steps, priors) {
            requests.append(SliceRequest(
                name: step.target, resources: try Self.desiredSlice(step, prior: prior.unit(step.target)),
                existing: step.after["ExistingSlice"]?.boolValue == true))
        }
        let changes = try systemdCall { d throws(SystemdError) in try d.applySlices(requests) }
        var results: [StepResult] = []
        for (step, change) in zip(steps, changes) {
            try check(step.after, UnitProperties.observed(change.state), what: "systemd reports for \(step.target)")
            results.append(StepResult(actions: change.actions.map { $0.description }, observed: change.state))
        }
        return results
    }

    func removeSlice(_ step: Step) throws(StepFailure) -> StepResult {
        let change = try systemdCall { d throws(SystemdError) in try d.removeSlices([step.target])[0] }
        if change.state.managed {
            throw StepFailure("after removing it, systemd still shows sosplan's settings on \(step.target)")
        }
        return StepResult(actions: change.actions.map { $0.description })
    }

    func undoSlice(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        let before = prior.unit(step.target)
        let existed = before.map { $0.loadState != "not-found" && $0.managed } ?? false
        if existed, let before {
            var restore = step
            restore.after = UnitProperties.observed(before)
            let resources = try Self.desiredSlice(restore, prior: nil)
            let change = try systemdCall { d throws(SystemdError) in try d.applySlices([SliceRequest(name: step.target, resources: resources)])[0] }
            return change.actions.map { $0.description }
        }
        let change = try systemdCall { d throws(SystemdError) in try d.removeSlices([step.target])[0] }
        return change.actions.map { $0.description }
    }

    // MARK: Placed units

    func placeUnit(_ step: Step) throws(StepFailure) -> StepResult {
        guard let slice = step.after["Slice"]?.stringValue else { throw StepFailure("step \(step.id) names no Slice") }
        let change = try systemdCall { d throws(SystemdError) in try d.placeUnit(step.target, inSlice: slice) }
        guard change.state.slice == slice else {
            throw StepFailure("after the change, systemd reports \(step.target) in \(change.state.slice ?? "no slice"), not \(slice)")
        }
        return StepResult(actions: change.actions.map { $0.description })
    }

    func releaseUnit(_ step: Step) throws(StepFailure) -> StepResult {
        let change = try systemdCall { d throws(SystemdError) in try d.releaseUnit(step.target) }
        if change.state.managed {
            throw StepFailure("after the change, \(step.target) still has sosplan's placement")
        }
        return StepResult(actions: change.actions.map { $0.description })
    }

    /// Back to the slice it was in: sosplan's placement there, or none.
    func undoPlacement(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        let before = prior.unit(step.target)
        if let before, before.managed, let slice = before.slice {
            return try systemdCall { d throws(SystemdError) in try d.placeUnit(step.target, inSlice: slice) }.actions.map { $0.description }
        }
        return try systemdCall { d throws(SystemdError) in try d.releaseUnit(step.target) }.actions.map { $0.description }
    }

    // MARK: sosplan's own units

    func writeExecUnit(_ step: Step) throws(StepFailure) -> StepResult {
        guard let slice = step.after["Slice"]?.stringValue else { throw StepFailure("step \(step.id) names no Slice") }
        let arguments = try execArguments(step)
        var request = ExecUnitRequest(name: step.target, slice: slice, arguments: arguments)
        request.numaPolicy = NUMAPolicySetting(planProperties: step.after)
        let change = try systemdCall { d throws(SystemdError) in
            step.action == .unitCreate ? try d.createUnit(request) : try d.updateUnit(request)
        }
        guard change.state.numaPolicy == request.numaPolicy else {
            throw StepFailure(
                "after the change, systemd reports NUMAPolicy \(change.state.numaPolicy?.description ?? "unset") for \(step.target), not \(request.numaPolicy?.description ?? "unset")")
        }
        if change.state.execStart != arguments {
            throw StepFailure(
                "after the change, systemd runs \(change.state.execStart.map { $0.joined(separator: " ") } ?? "nothing") for \(step.target), not \(arguments.joined(separator: " "))")
        }
        guard change.state.slice == slice else {
            throw StepFailure("after the change, systemd reports \(step.target) in \(change.state.slice ?? "no slice"), not \(slice)")
        }
        if !change.actions.isEmpty { try checkStaysActive(step.target) }
        return StepResult(actions: change.actions.map { $0.description }, execStart: arguments)
    }

    /// A started job is not a running service: a launcher that exits at
    /// once (its enclave went away, a bad program path) leaves the unit
    /// restarting or failed a moment later. Watch it briefly.
    func checkStaysActive(_ unit: String) throws(StepFailure) {
        usleep(400_000)
        for _ in 0..<3 {
            let state = try systemdCall { d throws(SystemdError) in try d.observeUnit(unit) }.activeState ?? "unknown"
            guard state == "active" else {
                throw StepFailure(
                    "\(unit) did not stay running: a moment after it started it is \(state) "
                        + "(see `journalctl -u \(unit)`)")
            }
            usleep(100_000)
        }
    }

    func removeExecUnit(_ step: Step) throws(StepFailure) -> StepResult {
        let change = try systemdCall { d throws(SystemdError) in try d.removeUnit(step.target) }
        if change.state.managed || (change.state.activeState.map { $0 == "active" || $0 == "activating" } ?? false) {
            throw StepFailure("after removing it, \(step.target) is still \(change.state.activeState ?? "there")")
        }
        return StepResult(actions: change.actions.map { $0.description })
    }

    func undoExecUnit(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        let before = prior.unit(step.target)
        guard let before, before.loadState != "not-found", before.managed, let exec = before.execStart, let slice = before.slice
        else {
            return try systemdCall { d throws(SystemdError) in try d.removeUnit(step.target) }.actions.map { $0.description }
        }
        if ContainerRun.parse(exec) != nil { return try restoreContainerUnit(step, before: before) }
        var request = ExecUnitRequest(name: step.target, slice: slice, arguments: exec)
        request.numaPolicy = before.numaPolicy
        let change = try systemdCall { d throws(SystemdError) in
            if case .managed = try d.unitDirectory.state(step.target) { return try d.updateUnit(request) }
            return try d.createUnit(request)
        }
        return change.actions.map { $0.description }
    }

    /// The unit's argument vector: the service's own, or the enclave's
    /// launcher in front of it, resolved now that the enclave runs.
    func execArguments(_ step: Step) throws(StepFailure) -> [String] {
        let exec = (step.after["ExecStart"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard !exec.isEmpty else { throw StepFailure("step \(step.id) has no ExecStart") }
        guard let launcher = step.after["Launcher"]?.stringValue else { return exec }
        guard let kind = EnclaveDriverKind(rawValue: launcher), let enclave = step.after["Enclave"]?.stringValue else {
            throw StepFailure("step \(step.id): unknown launcher '\(launcher)'")
        }
        let d = try driver(kind)
        let instance: EnclaveInstance?
        do { instance = try d.instance(named: enclave) } catch { throw StepFailure.from(error) }
        guard let instance else {
            throw StepFailure("enclave '\(enclave)' is not running, so \(step.target) cannot be launched into it")
        }
        let cpus = step.after["EnclaveCPUs"]?.stringValue.flatMap { try? CPUSet(lenientList: $0) } ?? CPUSet()
        let service = String(step.target.dropFirst("sosplan-".count).dropLast(".service".count))
        let request = EnclaveLaunchCommand.Request(
            service: service, instance: instance, exec: exec, cpus: cpus.isEmpty ? nil : cpus,
            cpuCount: cpus.isEmpty ? instance.cpus.count : cpus.count)
        do { return try EnclaveLaunchCommand.argumentVector(request, launcher: host.launchers.path(for: kind)) } catch {
            throw StepFailure("cannot launch \(step.target) into enclave '\(enclave)': \(error)")
        }
    }

    // MARK: Host confinement

    func confineHost(_ step: Step) throws(StepFailure) -> StepResult {
        let text = step.after["AllowedCPUs"]?.stringValue ?? ""
        let cpus: CPUSet
        do { cpus = try CPUSet(lenientList: text) } catch { throw StepFailure("step \(step.id): AllowedCPUs '\(text)': \(error.message)") }
        let changes = try systemdCall { d throws(SystemdError) in cpus.isEmpty ? try d.unconfineHost() : try d.confineHost(to: cpus) }
        for change in changes where (change.state.allowedCPUs ?? CPUSet()) != cpus {
            throw StepFailure(
                "after the change, systemd reports AllowedCPUs \(change.state.allowedCPUs?.description ?? "(unrestricted)") for \(change.unit), not \(cpus.isEmpty ? "(unrestricted)" : cpus.description)")
        }
        return StepResult(actions: changes.flatMap { c in c.actions.map { "\(c.unit): \($0)" } })
    }

    func undoConfinement(prior: StepPrior) throws(StepFailure) -> [String] {
        let confined = (prior.units ?? []).first { $0.managed && $0.allowedCPUs != nil }
        let changes = try systemdCall { d throws(SystemdError) in
            if let cpus = confined?.allowedCPUs { return try d.confineHost(to: cpus) }
            return try d.unconfineHost()
        }
        return changes.flatMap { c in c.actions.map { "\(c.unit): \($0)" } }
    }

    func systemdCall<T>(_ body: (SDBusSystemdDriver) throws(SystemdError) -> T) throws(StepFailure) -> T {
        let d = try systemd()
        do { return try body(d) } catch { throw StepFailure("\(error)") }
    }
}
